// Renders the flowchart the extension posts with the mermaid.js bundled in the extension.
/* global mermaid, acquireVsCodeApi, document, window */
(function () {
  const vscode = acquireVsCodeApi();
  const chart = document.getElementById("chart");
  const error = document.getElementById("error");
  const dark = document.body.classList.contains("vscode-dark");
  mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
  let renders = 0;

  async function render(source) {
    renders += 1;
    const id = "hexa-chart-" + renders;
    try {
      const { svg } = await mermaid.render(id, source);
      chart.innerHTML = svg;
      error.textContent = "";
      vscode.postMessage({ type: "rendered", renders });
    } catch (failure) {
      error.textContent = String(failure && failure.message ? failure.message : failure);
      document.getElementById("d" + id)?.remove();
      vscode.postMessage({ type: "renderFailed", message: error.textContent });
    }
  }

  window.addEventListener("message", (event) => {
    if (event.data && event.data.type === "update") {
      render(event.data.source);
    }
  });
  vscode.postMessage({ type: "ready" });
})();
