// The questionnaire after a session (designkit/widgets/rating.py): one radio group per item,
// usable with the mouse or the keyboard (Tab between items, arrows or a number key to choose,
// Enter or Space on Done to send).

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render({ model, el: root }) {
  const box = el("div", "dk-rating");
  root.appendChild(box);
  const answers = {};

  function draw() {
    box.replaceChildren();
    box.appendChild(el("h3", "", model.get("heading")));
    if (model.get("done")) {
      box.appendChild(el("div", "dk-rating-thanks", "Thank you: your answers are saved."));
      return;
    }
    const done = el("button", "dk-rating-done", "Done");
    done.type = "button";
    const items = model.get("items");
    const refresh = () => { done.disabled = items.some((item) => !(item.id in answers)); };
    items.forEach((item, index) => {
      const row = el("div", "dk-rating-item");
      const label = el("div", "dk-rating-text", item.text);
      label.id = `dk-rating-${item.id}-${index}`;
      const scale = el("div", "dk-rating-scale");
      scale.setAttribute("role", "radiogroup");
      scale.setAttribute("aria-labelledby", label.id);
      scale.dataset.item = item.id;
      scale.appendChild(el("span", "dk-rating-pole low", item.low));
      const buttons = [];
      const choose = (value, focus) => {
        answers[item.id] = value;
        buttons.forEach((b, i) => {
          b.setAttribute("aria-checked", String(i + 1 === value));
          b.tabIndex = i + 1 === value ? 0 : -1;
        });
        if (focus) buttons[value - 1].focus();
        refresh();
      };
      for (let v = 1; v <= item.points; v++) {
        const b = el("button", "dk-rating-choice", String(v));
        b.type = "button";
        b.setAttribute("role", "radio");
        b.setAttribute("aria-checked", "false");
        b.setAttribute("aria-label", `${v} of ${item.points}`);
        b.dataset.value = String(v);
        b.tabIndex = v === 1 ? 0 : -1;  // one tab stop per item
        b.addEventListener("click", () => choose(v, false));
        buttons.push(b);
        scale.appendChild(b);
      }
      scale.addEventListener("keydown", (event) => {
        const current = answers[item.id] || 0;
        let next = null;
        if (event.key === "ArrowRight" || event.key === "ArrowUp") next = Math.min(item.points, current + 1);
        else if (event.key === "ArrowLeft" || event.key === "ArrowDown") next = Math.max(1, (current || 2) - 1);
        else if (/^[1-9]$/.test(event.key) && Number(event.key) <= item.points) next = Number(event.key);
        if (next !== null) {
          event.preventDefault();
          event.stopPropagation();  // Lab must not read the key as a notebook shortcut
          choose(next, true);
        }
      });
      scale.appendChild(el("span", "dk-rating-pole high", item.high));
      row.append(label, scale);
      box.appendChild(row);
    });
    let open = null;
    if (model.get("open_question")) {
      const row = el("div", "dk-rating-item");
      const label = el("label", "dk-rating-text", model.get("open_question"));
      open = el("textarea", "dk-rating-open");
      open.id = "dk-rating-open";
      label.htmlFor = open.id;
      open.addEventListener("keydown", (event) => event.stopPropagation());
      row.append(label, open);
      box.appendChild(row);
    }
    const error = el("div", "dk-rating-error", model.get("error"));
    done.addEventListener("click", () => {
      model.send({ type: "submit", answers: { ...answers }, open_answer: open ? open.value : "" });
    });
    refresh();
    box.append(done, error);
  }

  model.on("change:done", draw);
  model.on("change:items", draw);
  model.on("change:error", () => {
    const node = box.querySelector(".dk-rating-error");
    if (node) node.textContent = model.get("error");
  });
  draw();
}

export default { render };
