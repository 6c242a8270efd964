/* The audit trail (administrators): verify every hash chain of the event log (the first broken link and
   the case rows their events do not explain, in Chinese) and read the account and administration
   events page by page, with people's names and what they did in Chinese. */
"use strict";
OneThing.start(async () => {
  const { api, h, fill, busy, table, badge, formatDateTime, labels } = OneThing;
  const PAGE = 20;
  const EVENT_ZH = {
    LoggedIn: "登录", LoginFailed: "登录失败", TokenRevoked: "注销登录凭证", UserCreated: "创建用户", UserChanged: "修改用户",
    UserTokensRevoked: "注销用户的全部登录凭证", FlowUploaded: "上传流程版本", FlowDeployed: "部署流程版本",
    BundleDefinitionChanged: "修改一件事定义", CatalogueEntryChanged: "修改目录条目", CaseMigrated: "迁移办件流程版本",
    IncidentResolved: "流程异常已处理", IncidentRetryFailed: "流程异常重试失败", CalendarOverridden: "调整工作日历",
    CalendarOverrideRemoved: "撤销工作日历调整", CalendarYearConfirmed: "确认年度工作日历",
    BadCreditListed: "列入失信记录", BadCreditLifted: "失信记录信用修复",
  };
  const SUBJECT_ZH = { user: "用户", bundle: "一件事", case: "办件", field: "表单字段", material: "材料", licence: "证照" };
  const DATA_ZH = {
    reason: "事由", source: "来源", records: "记录数", version: "版本", from_version: "原版本", to_version: "新版本",
    previous: "原版本", name: "姓名", department: "部门", roles: "角色", active: "启用", revoked: "注销数", day: "日期",
    working: "工作日", year: "年度", note: "说明", tokens_revoked: "注销凭证数", with_version: "随版本",
  };
  const LOGIN_FAILED = { inactive: "账号已停用", "wrong credentials": "登录名或密码错误" };
  // The verifier names problems in English; these are its sentences, in Chinese.
  const PROBLEMS = [
    [/^expected event (\d+) here, found (\d+)$/, (m) => `此处应为第 ${m[1]} 个事件，实际为第 ${m[2]} 个（事件缺失或顺序被改动）`],
    [/^does not link to the event before it$/, () => "未与前一个事件相连（前一个事件被改动或删除）"],
    [/^an unkeyed event after keyed ones/, () => "在带密钥的事件之后出现了不带密钥的事件（疑似被伪造）"],
    [/^unknown hash scheme/, () => "使用了未知的哈希方案"],
    [/^its content does not match its hash/, () => "事件内容与其哈希值不符（内容被改动）"],
    [/^differs from the event the checkpoint sealed$/, () => "与检查点封存的事件不同"],
    [/^the checkpoint holds this chain, the log has no event of it$/, () => "检查点记录了此链，但事件记录中已没有它的事件"],
    [/^the chain head says event (\d+), the log ends at event (\d+)$/, (m) => `链头记录为第 ${m[1]} 个事件，事件记录却止于第 ${m[2]} 个`],
  ];
  const people = {};
  const departments = {};
  const bundles = {};
  for (const b of await api("GET", "/api/bundles")) {
    bundles[b.code] = b.name;
    for (const i of b.items) departments[i.department] = i.department_name;
  }
  OneThing.addUnits(departments, (await api("GET", "/api/hall/points")).points);
  try {
    for (const u of await api("GET", "/api/users")) people[u.login] = u.name;
  } catch (err) {
    // Without the user list the events show logins; the page still works.
  }

  function problemZh(text) {
    for (const [pattern, say] of PROBLEMS) {
      const found = pattern.exec(text || "");
      if (found) return say(found);
    }
    return "事件链校验未通过";
  }

  function chainZh(chain) {
    if (chain === "audit") return "账号与管理操作审计链";
    const found = /^case (.+)$/.exec(chain || "");
    return found ? `办件 ${found[1]} 的事件链` : "事件链";
  }

  function whatZh(what) {
    if (what === "status") return "办件状态";
    const found = /^item (.+)$/.exec(what || "");
    return found ? `事项 ${found[1]} 的状态` : "状态";
  }

  function statusZh(value) {
    return labels.caseStatus[value] || labels.itemStatus[value] || value;
  }

  async function verify() {
    const r = await api("GET", "/api/audit/verify");
    const figures = h("div", { class: "figures" },
      h("div", { class: "figure" }, h("strong", {}, String(r.chains)), "条事件链"),
      h("div", { class: "figure" }, h("strong", {}, String(r.events)), "个事件"),
      h("div", { class: "figure" }, h("strong", {}, String(r.unkeyed)), "个事件未使用审计密钥"),
      h("div", { class: "figure" }, h("strong", {}, String(r.disagreeing)), "处状态与事件不符"));
    const verdict = r.ok
      ? h("p", { class: "notice ok", id: "verify-verdict" }, badge("校验通过", "green"), " 所有事件链完整，办件状态与事件记录一致。")
      : h("div", { class: "notice error", id: "verify-verdict" }, h("p", {}, badge("校验未通过", "red")),
        r.broken ? h("p", { id: "broken-link" }, `第一处断裂：${chainZh(r.broken.chain)}，第 ${r.broken.seq} 个事件：${problemZh(r.broken.problem)}`) : null,
        r.disagreeing ? h("p", {}, `${r.disagreeing} 处办件或事项的状态与其事件记录不符。`) : null);
    fill("#verify-result", verdict, figures,
      r.disagreements.length ? table(["办件", "内容", "数据库记录", "事件记录推算"], r.disagreements.map((d) => [
        d.case, whatZh(d.what), statusZh(d.row), statusZh(d.events)])) : null);
  }

  function who(e) {
    if (e.actor_user === "system") return "系统";
    const name = people[e.actor_user];
    const role = labels.role[e.actor_role];
    return [name || e.actor_user, role ? `（${role}）` : ""].join("");
  }

  function subjectZh(subject) {
    const found = /^([a-z_]+):(.*)$/.exec(subject || "");
    if (found && SUBJECT_ZH[found[1]]) {
      if (found[1] === "user" && people[found[2]]) return `用户 ${people[found[2]]}`;
      if (found[1] === "bundle" && bundles[found[2]]) return `一件事 ${bundles[found[2]]}`;
      if (found[1] === "case") return `办件 ${found[2]}`;
      // Other keys are codes an administrator typed (a catalogue key, a login): shown as code.
      return h("span", {}, `${SUBJECT_ZH[found[1]]} `, h("code", {}, found[2]));
    }
    return subject || "—";
  }

  function valueZh(value, key) {
    if (key === "department") return OneThing.departmentName(value, departments);
    if (key === "roles" && Array.isArray(value)) return value.map((r) => labels.role[r] || "其他角色").join("、");
    if (value === true) return "是";
    if (value === false) return "否";
    if (Array.isArray(value)) return value.map((v) => valueZh(v)).join("、");
    if (value && typeof value === "object") return "（详见记录）";
    return String(value ?? "—");
  }

  function details(e) {
    if (e.type === "LoginFailed") return `原因：${LOGIN_FAILED[e.data.reason] || "其他"}`;
    const known = Object.entries(e.data || {}).filter(([key]) => DATA_ZH[key]);
    return known.length ? known.map(([key, value]) => `${DATA_ZH[key]}：${valueZh(value, key)}`).join("；") : "—";
  }

  // Newest first: each page is read as the events before a sequence number; `pages` keeps the
  // number each page read so far started before, so "较新" goes back the way it came.
  const LATEST = 2147483647;
  const pages = [LATEST];
  let oldest = LATEST;
  async function loadEvents(before) {
    const events = await api("GET", `/api/audit/events?before=${before}&limit=${PAGE}`);
    fill("#events", h("p", { class: "muted" }, `第 ${pages.length} 页（每页 ${PAGE} 条，最新的在前）`),
      table(["时间", "操作人", "操作", "对象", "详情"], events.map((e) => [
        formatDateTime(e.occurred_at), who(e), EVENT_ZH[e.type] || "其他操作", subjectZh(e.subject), details(e),
      ]), "没有更多记录"));
    oldest = events.length ? events[events.length - 1].seq : before;
    document.getElementById("events-next").disabled = events.length < PAGE || oldest <= 1;
    document.getElementById("events-previous").disabled = pages.length < 2;
  }

  const verifyButton = document.getElementById("verify");
  verifyButton.addEventListener("click", () => busy(verifyButton, verify));
  document.getElementById("events-next").addEventListener("click", (e) => busy(e.target, async () => {
    pages.push(oldest);
    await loadEvents(oldest);
  }));
  document.getElementById("events-previous").addEventListener("click", (e) => busy(e.target, async () => {
    if (pages.length > 1) pages.pop();
    await loadEvents(pages[pages.length - 1]);
  }));
  document.getElementById("events-first").addEventListener("click", (e) => busy(e.target, async () => {
    pages.splice(1);
    await loadEvents(LATEST);
  }));
  await loadEvents(LATEST);
});
