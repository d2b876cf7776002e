// Which screen is showing, and the tab bar (shown once the user has consented).

const TABS = ['references', 'check', 'data', 'teach'];

/** Shows screen `name` (hides the others), marks its tab, and moves focus to its heading. */
export function show(name, { focus = true } = {}) {
  for (const s of document.querySelectorAll('.screen')) s.hidden = s.id !== `screen-${name}`;
  for (const b of document.querySelectorAll('#tabs [data-screen]')) {
    if (b.dataset.screen === name) b.setAttribute('aria-current', 'page');
    else b.removeAttribute('aria-current');
  }
  document.body.dataset.screen = name;
  if (focus) {
    const h = document.querySelector(`#screen-${name} h2`);
    if (h) {
      h.tabIndex = -1;
      h.focus();
    }
  }
}

/** Shows the tabs the consented purposes allow (none when `purposes` is null). */
export function showTabs(purposes) {
  const nav = document.getElementById('tabs');
  nav.hidden = !purposes;
  const matching = purposes && (purposes.has('verifyItIsMe') || purposes.has('compareWithConsentingPerson'));
  for (const b of nav.querySelectorAll('[data-screen]')) {
    b.hidden = (b.dataset.screen === 'references' || b.dataset.screen === 'check') && !matching;
  }
}

/** Calls `f(name)` when a tab is clicked. */
export function onTab(f) {
  for (const b of document.querySelectorAll('#tabs [data-screen]')) {
    b.addEventListener('click', () => f(b.dataset.screen));
  }
}

export { TABS };
