/* The inbox's mark of 部门会商: a row whose case has comments asking this department to read them
   shows "有会商意见（N）" beside its case number, linking to the comments on the case page. The
   rows are drawn by the inbox's own script (each <tr data-case="<case number>">), redrawn when it
   reloads; the marks follow every redraw. There is no read state: the mark stays while the case runs. */
"use strict";
(() => {
  const { api, h } = OneThing;

  function mark(inbox, counts) {
    for (const row of inbox.querySelectorAll("tr[data-case]")) {
      const count = counts.get(row.dataset.case);
      if (!count || row.querySelector(".mention-mark")) continue;
      const cell = row.cells[0];
      if (!cell) continue;
      cell.append(" ", h("a", { class: "badge mention-mark", href: `/app/cases/${encodeURIComponent(row.dataset.case)}#case-comments`,
        title: `${count} 条会商意见提请本部门阅看` }, `有会商意见（${count}）`));
    }
  }

  async function run() {
    const inbox = document.getElementById("inbox");
    if (!inbox) return;
    let answer;
    try {
      answer = await api("GET", "/api/comments/mentions", undefined, { stayOnPage: true });
    } catch (err) {
      return;  // the inbox works without its marks (a signed-out page goes to the login by itself)
    }
    const counts = new Map(answer.items.map((m) => [m.case_number, m.count]));
    if (!counts.size) return;
    mark(inbox, counts);
    new MutationObserver(() => mark(inbox, counts)).observe(inbox, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
