/* 常用查询: the signed-in person's own named conditions for a list page (办件查询, 部门待办).
   A page's conditions live in its address (?status=…&sort=…), so a saved filter is a link that
   opens the page with them; "保存当前条件" keeps what the page shows now under a name. The bar's
   markup is in the page's template (#saved-filters); this script fills and drives it. */
"use strict";
const SavedFilters = (() => {
  const { api, h, fill, busy, flash, clearErrors } = OneThing;

  /* The page's address with these conditions (the page number is not kept). */
  function href(query) {
    const params = new URLSearchParams(query);
    return params.toString() ? `${location.pathname}?${params}` : location.pathname;
  }

  /* Mounts the bar for `page` ("cases" or "inbox"); `current()` answers the conditions shown now
     as {parameter: value}, without empty ones, each the value of the field of that name in `form`. */
  async function mount(page, form, current) {
    /* A filter's conditions as the form's labels and option texts say them, in the form's order. */
    const fieldOrder = [...form.elements].map((e) => e.name);
    function describe(query) {
      const position = (key) => (fieldOrder.includes(key) ? fieldOrder.indexOf(key) : fieldOrder.length);
      const entries = Object.entries(query).sort(([a], [b]) => position(a) - position(b));
      const parts = entries.map(([key, value]) => {
        const field = form.elements.namedItem(key);
        const label = form.querySelector(`label[for="${CSS.escape(key)}"]`);
        const option = field && field.tagName === "SELECT" ? [...field.options].find((o) => o.value === value) : null;
        return `${label ? label.textContent : key}：${option ? option.textContent : value}`;
      });
      return parts.length ? parts.join("；") : "无条件";
    }

    const box = document.getElementById("saved-filters");
    const list = box.querySelector("#saved-filter-list");
    const name = box.querySelector("#saved-filter-name");
    const save = box.querySelector("#saved-filter-save");

    async function load() {
      let filters;
      try {
        filters = await api("GET", `/api/saved-filters?page=${page}`);
      } catch (err) {
        fill(list, h("li", { class: "muted" }, "常用查询暂时无法加载"));
        throw err;
      }
      fill(list, filters.length ? filters.map((f) => h("li", { dataset: { filter: f.id } },
        h("a", { href: href(f.query), title: describe(f.query) }, f.name), " ",
        h("button", { type: "button", class: "link", "aria-label": `删除常用查询“${f.name}”`,
          onclick: (e) => busy(e.target, async () => {
            await api("DELETE", `/api/saved-filters/${f.id}`);
            flash(`已删除常用查询“${f.name}”`);
            await load();
          }, box) }, "删除")))
        : h("li", { class: "muted" }, "尚未保存常用查询"));
    }

    save.addEventListener("click", () => busy(save, async () => {
      clearErrors(box);
      const saved = await api("POST", "/api/saved-filters", { page, name: name.value, query: current() });
      name.value = "";
      flash(`已保存常用查询“${saved.name}”`);
      await load();
    }, box));
    name.addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); save.click(); }
    });
    await busy(null, load, box);
  }

  /* A list page's conditions, kept in its address: the fields of `form` named by `keys`, each
     left out of the address when empty or its value in `defaults`. */
  function address(form, keys, defaults) {
    /* The conditions shown, as query parameters. */
    function conditions() {
      const query = {};
      for (const key of keys) {
        const value = form[key].value.trim();
        if (value && value !== defaults[key]) query[key] = value;
      }
      return query;
    }
    /* Puts the address's conditions into the form; answers the page number it names. */
    function read() {
      const params = new URLSearchParams(location.search);
      for (const key of keys) form[key].value = params.get(key) || defaults[key] || "";
      return Math.max(1, Number.parseInt(params.get("page"), 10) || 1);
    }
    /* Puts the conditions shown and `page` into the address: a new history entry unless `replace`
       (the address as read, with what the page does not use or keep left out). */
    function write(page, replace = false) {
      const next = href(page > 1 ? { ...conditions(), page } : conditions());
      if (next === location.pathname + location.search) return;
      if (replace) history.replaceState(null, "", next);
      else history.pushState(null, "", next);
    }
    return { conditions, read, write };
  }

  return { mount, href, address };
})();
