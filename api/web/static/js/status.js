/* 办件查询 for applicants, no login: the case number (from the notice's QR code, or typed) and the
   last six characters of the applicant's ID number or credit code show the case's progress. */
"use strict";
(() => {
  const { api, h, fill, busy, flash } = OneThing;
  const form = document.getElementById("status-form");
  const result = document.getElementById("status-result");
  if (form.number.value) form.check.focus();

  function show(s) {
    result.hidden = false;
    fill(result,
      h("h2", {}, `${s.bundle}　${s.number}`),
      h("p", {}, h("strong", {}, s.state)),
      h("dl", { class: "summary" },
        h("div", {}, h("dt", {}, "受理日期"), h("dd", {}, s.accepted_on)),
        h("div", {}, h("dt", {}, "承诺办结日期"), h("dd", {}, s.due_on || "—")),
        s.closed_on ? h("div", {}, h("dt", {}, "出件日期"), h("dd", {}, s.closed_on)) : null),
      h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "部门"), h("th", {}, "事项"), h("th", {}, "进度"))),
        h("tbody", {}, s.departments.flatMap((d) => d.items.map((i, n) => h("tr", {},
          h("td", {}, n === 0 ? d.name : ""), h("td", {}, i.name), h("td", {}, i.state)))))));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(form.querySelector("button"), async () => {
      OneThing.clearErrors(form);
      result.hidden = true;
      const number = form.number.value.trim().toUpperCase();
      const check = form.check.value.trim().toUpperCase();
      if (!number || !/^[0-9A-Z]{6}$/.test(check)) {
        throw new OneThing.ApiError(422, { message_zh: "请输入办件编号和证件号码后六位",
          errors: { ...(number ? {} : { number: ["必填"] }), ...(/^[0-9A-Z]{6}$/.test(check) ? {} : { check: ["6 位数字或字母"] }) } });
      }
      show(await api("GET", `/api/public/case-status/${encodeURIComponent(number)}?check=${encodeURIComponent(check)}`,
        undefined, { stayOnPage: true }));
      flash("查询成功。", "ok");
    }, form);
  });
})();
