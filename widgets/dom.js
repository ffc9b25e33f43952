// Shared by the widgets' ES modules: designkit/assets.py `widget_module` puts this file before a
// widget's own module (anywidget loads each widget as one module from text, so a widget cannot
// import a sibling file).

// An element with attributes ("class", "on<event>" handlers, the rest as attributes) and children.
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}
