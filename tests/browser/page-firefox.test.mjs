// The page's core flow in Firefox ESR (Debian firefox-esr, driven by geckodriver through
// WebDriver): see page-core-flow.mjs. Screenshots go to out/screenshots/firefox/.
import { coreFlowTest } from './page-core-flow.mjs';

coreFlowTest('firefox');
