// A think-aloud marker key (designkit/widgets/facilitator.py): a button, shown while a session is
// live, and the M key anywhere on the page meanwhile. The key is caught on the window before JupyterLab's own
// shortcuts (in Lab, M would turn the selected cell into Markdown); typing in a text box is left alone.

function typing(target) {
  if (!target) return false;
  const tag = (target.tagName || "").toLowerCase();
  return tag === "input" || tag === "textarea" || target.isContentEditable;
}

function render({ model, el }) {
  const box = document.createElement("div");
  box.className = "dk-marker";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "dk-marker-button";
  const count = document.createElement("span");
  count.className = "dk-marker-count";
  box.append(button, count);
  el.appendChild(box);

  const draw = () => {
    button.textContent = model.get("label");
    button.disabled = !model.get("active");
    box.style.display = model.get("active") ? "" : "none";  // only while a session is live
    const n = model.get("count");
    count.textContent = n ? `${n} marked` : "";
  };
  const mark = (how) => {
    if (!model.get("active")) return;
    model.send({ type: "marker", how, t_page: performance.now() });
  };
  button.addEventListener("click", () => mark("button"));
  const onKey = (event) => {
    if (!model.get("listen_key") || event.repeat || typing(event.target)) return;
    if (event.key !== "m" && event.key !== "M") return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (!el.isConnected || !model.get("active")) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    mark("key");
  };
  window.addEventListener("keydown", onKey, true);
  model.on("change:active", draw);
  model.on("change:count", draw);
  model.on("change:label", draw);
  draw();
  return () => window.removeEventListener("keydown", onKey, true);
}

export default { render };
