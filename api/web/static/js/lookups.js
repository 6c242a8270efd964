/* The lookup audit for supervisors (数据调用留痕): lookups per user on a day, the unusual volumes
   flagged, and the lookups themselves, filtered, newest first (subjects masked, never the data). */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, table, formatDateTime, badge } = OneThing;
  const dayForm = document.getElementById("day-form");
  const filter = document.getElementById("filter");
  const more = document.getElementById("more");
  const kindNames = { person: "人口库", enterprise: "法人库", property: "不动产登记", social_insurance: "社会保险",
    marriage: "婚姻登记", birth: "出生医学证明" };
  const outcomes = { found: ["查到", "green"], none: ["无记录", "grey"], unavailable: ["未响应", "red"] };
  for (const [kind, name] of Object.entries(kindNames)) filter.kind.append(h("option", { value: kind }, name));
  let rows = [];

  function why(error) {
    if (!error) return "";
    const status = /^HTTP (\d+)/.exec(error);
    if (status) return `数据共享平台返回错误（状态 ${status[1]}）`;
    for (const [start, text] of [["timeout", "数据共享平台响应超时"], ["no connection", "无法连接数据共享平台"],
      ["malformed", "数据共享平台的应答格式有误"], ["circuit open", "该类数据连续查询失败，暂停查询"]]) {
      if (error.startsWith(start)) return text;
    }
    return "数据源未响应";
  }
  let before = null;

  async function volume() {
    const query = dayForm.day.value ? `?day=${dayForm.day.value}` : "";
    const found = await api("GET", `/api/data-lookups/volume${query}`);
    dayForm.day.value = found.day;
    fill("#volume-title", `${found.day} 查询量（超过 ${found.threshold} 次或明显高于他人即为异常）`);
    fill("#volume", table(["查询人", "查询次数", "涉及人数", "最近一次", ""], found.users.map((u) => [
      h("code", {}, u.user), String(u.lookups), String(u.subjects), formatDateTime(u.last_at), u.unusual ? badge("异常", "red") : ""]),
    "当日没有查询"));
  }

  async function lookups(append) {
    const query = new URLSearchParams({ limit: "50" });
    for (const name of ["user", "kind", "case"]) if (filter[name].value.trim()) query.set(name, filter[name].value.trim());
    if (append && before) query.set("before", String(before));
    const found = await api("GET", `/api/data-lookups?${query}`);
    rows = append ? rows.concat(found.lookups) : found.lookups;
    before = found.next_before;
    more.hidden = !before;
    fill("#lookups", table(["时间", "查询人", "用途", "办件", "类别", "被查询人", "查询项目", "结果", "返回", "耗时"],
      rows.map((e) => {
        const [text, colour] = outcomes[e.outcome] || [e.outcome, "grey"];
        return [formatDateTime(e.occurred_at), h("code", {}, e.user), e.purpose, e.case_number || "受理前",
          kindNames[e.kind] || e.kind, e.subject, e.attribute_labels.join("、"),
          h("span", { title: why(e.error) }, badge(text, colour)),
          `${e.records} 条 / ${e.values_returned} 项`, `${e.milliseconds} 毫秒`];
      }), "没有符合条件的查询记录"));
  }

  dayForm.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(dayForm.querySelector("button"), volume, dayForm);
  });
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    busy(filter.querySelector("button"), () => lookups(false), filter);
  });
  more.addEventListener("click", () => busy(more, () => lookups(true)));
  await volume();
  await lookups(false);
});
