"""The page's CSS and the viewer's JavaScript, kept as strings so the package needs no data files.

No asset refers to anything outside the server: no web fonts, CDNs or trackers.
"""

from __future__ import annotations

__all__ = ["CSS", "VIEWER_JS", "SHOW_ANSWER_JS", "HEAD"]

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
#rag-header h1 { font-size: 1.35rem; margin: 0 0 .15rem 0; }
#rag-header p { margin: 0; color: var(--body-text-color); opacity: .8; font-size: .9rem; }
.rag-status { font-size: .85rem; color: var(--body-text-color); opacity: .85; line-height: 1.5; overflow-wrap: anywhere; }
#rag-hint { font-size: .8rem; opacity: .8; margin: 0; }
.rag-status code { font-size: .8rem; }
.rag-status-extra { display: block; color: var(--body-text-color); }
.rag-answer, .rag-user, .rag-notice { line-height: 1.55; overflow-wrap: anywhere; }
.rag-answer .rag-text { margin: 0 0 .4rem 0; }
.rag-answer .rag-text, .rag-user, .rag-abstain-h { font-size: 1rem; }
.rag-abstain-h { margin: 0 0 .4rem 0; font-weight: 600; }
.rag-abstain { border-left: 3px solid #b7791f; padding-left: .6rem; }
.rag-meta { margin: .2rem 0; font-size: .85rem; color: var(--body-text-color-subdued); }
.rag-note { margin: .2rem 0; font-size: .85rem; color: var(--body-text-color-subdued); font-style: italic; }
.rag-notice { padding: .35rem .6rem; border-left: 3px solid #3182ce; }
.rag-notice-error { border-left-color: #c53030; }
.rag-notice-ok { border-left-color: #2f855a; }
button.rag-cite {
  display: inline; border: none; background: none; padding: 0 .1rem; margin: 0;
  font: inherit; font-weight: 600; color: var(--link-text-color, #2563eb); cursor: pointer;
  text-decoration: underline; text-underline-offset: 2px;
}
button.rag-cite:hover, button.rag-cite:focus-visible { background: rgba(37, 99, 235, .12); border-radius: 3px; }
.rag-sources { margin-top: .5rem; border-top: 1px solid var(--border-color-primary); padding-top: .4rem; }
.rag-sources-h { font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
  color: var(--body-text-color-subdued); margin-bottom: .3rem; }
.rag-source { margin: 0 0 .6rem 0; }
.rag-source-h { font-size: .92rem; }
.rag-title { font-weight: 600; }
.rag-file { font-size: .78rem; color: var(--body-text-color); opacity: .75; overflow-wrap: anywhere; }
.rag-file button.rag-cite { font-size: .78rem; font-weight: 600; }
blockquote.rag-passage {
  margin: .25rem 0 0 0; padding: .35rem .6rem; border-left: 3px solid var(--border-color-accent, #93c5fd);
  font-size: .86rem; background: var(--background-fill-secondary);
}
mark.rag-sent, mark.rag-hl { background: #fde68a; color: #1a1a1a; padding: 0 .1rem; border-radius: 2px; }
mark.rag-hl { background: #facc15; box-shadow: 0 0 0 2px #facc15; }
.rag-passage-hl { background: rgba(147, 197, 253, .35); }
#rag-article .rag-article { max-height: 72vh; overflow-y: auto; border: 1px solid var(--border-color-primary);
  border-radius: var(--radius-lg, 8px); padding: 0 .8rem .6rem .8rem; background: var(--background-fill-primary); }
#rag-article .rag-article-empty { padding: .6rem .8rem; }
.rag-article-h { position: sticky; top: 0; background: var(--background-fill-primary); z-index: 1;
  padding: .5rem 0 .4rem 0; border-bottom: 1px solid var(--border-color-primary); margin-bottom: .5rem; }
.rag-article-title { font-weight: 700; font-size: 1rem; }
.rag-article-body { font-size: .92rem; line-height: 1.6; overflow-wrap: anywhere; }
.rag-page { margin: .6rem 0 .4rem; }
.rag-page-band { margin: .2rem 0 .6rem; }
.rag-page-band figcaption { font-size: .8rem; color: var(--body-text-color-subdued); }
.rag-page summary { cursor: pointer; font-size: .85rem; color: var(--body-text-color-subdued); }
.rag-page-img { display: block; max-width: 100%; height: auto; border: 1px solid var(--border-color-primary); }
.rag-article-empty { color: var(--body-text-color-subdued); font-size: .9rem; }
#rag-examples button { font-size: .82rem; }
@media (max-width: 720px) {
  .gradio-container { padding: 0 .35rem !important; }
  #rag-header h1 { font-size: 1.1rem; }
  #rag-header p { font-size: .8rem; }
  .rag-answer .rag-text, .rag-user, .rag-abstain-h { font-size: .95rem; }
  #rag-examples button { font-size: .75rem; }
  #rag-article .rag-article { max-height: 65vh; }
}
"""

# Runs once when the article viewer mounts. A click on a citation button (the [n] markers and
# "View article" buttons inside chat messages, whose value encodes the cited span) opens its article through the viewer's server
# function, which accepts only names of indexed files. The handler is registered on the document
# once, replacing an earlier one if the viewer is mounted again.
VIEWER_JS = """
const open = async (el) => {
  const p = String(el.value || '').split('|');
  if (p.length !== 6) { return; }
  let source = '';
  try { source = decodeURIComponent(p[5]); } catch (err) { return; }
  const request = {n: +p[0], start: +p[1], end: +p[2], passage_start: +p[3],
                   passage_end: +p[4], source: source};
  element.setAttribute('aria-busy', 'true');
  try {
    props.value = await server.open_article(request);
  } catch (err) {
    props.value = '<div class="rag-article rag-article-empty">Could not open this citation.</div>';
  }
  element.removeAttribute('aria-busy');
  // Scroll the article box so the cited sentence (a PDF's: the band of the page image around it)
  // sits near its top third, then bring the box
  // itself into view (on a narrow window it is below the chat).
  const reveal = (tries) => {
    const mark = element.querySelector('.rag-page-band') || element.querySelector('mark.rag-hl');
    const box = element.querySelector('.rag-article');
    if (mark && box) {
      const offset = mark.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTop += offset - box.clientHeight / 3;
      box.scrollIntoView({block: 'nearest'});
    } else if (tries > 0) { setTimeout(() => reveal(tries - 1), 50); }
  };
  setTimeout(() => reveal(20), 0);
};
if (window.__ragCiteHandler) {
  document.removeEventListener('click', window.__ragCiteHandler, true);
}
window.__ragCiteHandler = (ev) => {
  const el = ev.target && ev.target.closest ? ev.target.closest('button.rag-cite[value]') : null;
  if (!el) { return; }
  ev.preventDefault();
  ev.stopPropagation();
  open(el);
};
document.addEventListener('click', window.__ragCiteHandler, true);
"""

# After an answer is complete: scroll the chat (not the page) so the question and the start of
# the answer are in view; the Chatbot's own autoscroll leaves a long sources panel's end showing.
SHOW_ANSWER_JS = """
() => {
  const bots = document.querySelectorAll("#rag-chat [data-testid='bot']");
  const last = bots[bots.length - 1];
  if (!last) { return []; }
  let row = last.closest('.message-row') || last;
  const prev = row.previousElementSibling;
  if (prev && prev.querySelector("[data-testid='user']")) { row = prev; }
  let sc = row.parentElement;
  while (sc && !(sc.scrollHeight > sc.clientHeight + 2 &&
                 /(auto|scroll)/.test(getComputedStyle(sc).overflowY))) { sc = sc.parentElement; }
  if (sc) { sc.scrollTop += row.getBoundingClientRect().top - sc.getBoundingClientRect().top - 8; }
  return [];
}
"""

HEAD = '<meta name="viewport" content="width=device-width, initial-scale=1">'
