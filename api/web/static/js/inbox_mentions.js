/* The inbox's marks of 部门会商, on the department's inbox and the window's desk: a line above the
   list names the running cases whose comments ask this department (the window, for a clerk) to read
   them, each linking to the comments on the case page; on the inbox, the row of such a case also
   shows "有会商意见（N）" beside its case number. The inbox's own script draws the rows (each
   <tr data-case="<case number>">) and redraws them when it reloads; the marks follow every redraw.
   There is no read state: a case stays marked while it runs. */
"use strict";
(() => {
  const { api, h } = OneThing;

  const link = (number, text) => h("a", { href: `/app/cases/${encodeURIComponent(number)}#case-comments` }, text);

  function markRows(list, counts) {
    for (const row of list.querySelectorAll("tr[data-case]")) {
      const count = counts.get(row.dataset.case);
      if (!count || row.querySelector(".mention-mark") || !row.cells[0]) continue;
      row.cells[0].append(" ", h("a", { class: "badge mention-mark",
        href: `/app/cases/${encodeURIComponent(row.dataset.case)}#case-comments`,
        title: `${count} 条会商意见提请本部门阅看` }, `有会商意见（${count}）`));
    }
  }

  async function run() {
    const list = document.getElementById("inbox") || document.getElementById("window-tasks");
    if (!list) return;
    let answer;
    try {
      answer = await api("GET", "/api/comments/mentions", undefined, { stayOnPage: true });
    } catch (err) {
      return;  // the list works without its marks (a signed-out page goes to the login by itself)
    }
    if (!answer.items.length) return;
    list.before(h("p", { class: "notice info", id: "mentions" }, "会商意见提请本部门阅看：",
      answer.items.map((m, i) => [i ? "、" : "", link(m.case_number, `${m.case_number}（${m.count} 条）`)])));
    const counts = new Map(answer.items.map((m) => [m.case_number, m.count]));
    markRows(list, counts);
    new MutationObserver(() => markRows(list, counts)).observe(list, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
