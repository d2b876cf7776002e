// The page's core flow in WebKit (WebKitGTK's MiniBrowser, driven by WebKitWebDriver under a
// virtual display). WebKit has no relaxed SIMD, so this also runs the simd128 build of the
// engine. See page-core-flow.mjs; screenshots go to out/screenshots/webkit/.
import { coreFlowTest } from './page-core-flow.mjs';

coreFlowTest('webkit');
