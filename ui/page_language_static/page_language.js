// Sets <html lang> of the app's page (this frame's parent, same origin) to the session's language. Reads one
// argument, `lang`, and writes it only when it is one of the app's languages; never sends a value back (no rerun).
(function () {
  "use strict";
  var LANGUAGES = ["en", "cy"];
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || !event.data || event.data.type !== "streamlit:render") return;
    var lang = event.data.args && event.data.args.lang;
    if (LANGUAGES.indexOf(lang) !== -1) window.parent.document.documentElement.lang = lang;
  });
  window.parent.postMessage({ isStreamlitMessage: true, type: "streamlit:componentReady", apiVersion: 1 }, "*");
})();
