// One confirmation step before something is erased ("Erase everything", "Withdraw"): a modal
// dialog that says what will go, with the erasing button and a button that keeps everything.
// Erasing stays as easy as consenting: one click to ask, one click to confirm.
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

/**
 * Asks `t(title)` / `t(text, vars)` with the buttons `t(yes)` and `t(no)` (`danger`: the yes
 * button shown as erasing, the default). Resolves to true when the user confirms, false when they
 * keep (the other button, Escape or closing the dialog).
 */
export function confirmErase({ title, text, yes, no = 'keep', vars = {}, danger = true }) {
  const dialog = $('confirm-dialog');
  const yesButton = $('confirm-dialog-yes');
  const noButton = $('confirm-dialog-no');
  $('confirm-dialog-title').textContent = t(title, vars);
  $('confirm-dialog-text').textContent = t(text, vars);
  yesButton.textContent = t(yes, vars);
  // Erasing is shown as such; agreeing to something (a purpose added later) is not.
  yesButton.className = danger ? 'danger' : 'primary';
  noButton.textContent = t(no, vars);
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const finish = (answer) => {
      yesButton.onclick = null;
      noButton.onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      // The question named a reference: nothing of it stays in the page once answered.
      for (const el of [$('confirm-dialog-title'), $('confirm-dialog-text'), yesButton, noButton]) el.textContent = '';
      // Back where the user was, unless the action moves them (the caller focuses then).
      if (!answer && opener?.isConnected) opener.focus();
      resolve(answer);
    };
    yesButton.onclick = () => finish(true);
    noButton.onclick = () => finish(false);
    dialog.onclose = () => finish(false);
    dialog.showModal();
    // The button that erases nothing has the focus: Enter never erases by accident.
    noButton.focus();
  });
}
