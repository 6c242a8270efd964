/* Shared by every page of the workbench: calling the JSON API with the session cookie and the
   CSRF header, turning its error shape into Chinese messages next to the fields, building DOM
   nodes safely (text is never parsed as HTML), the Chinese labels, and the page start-up (who is
   signed in, the navigation for their roles). */
"use strict";

const OneThing = (() => {
  const STATUS_ZH = {
    0: "无法连接服务器，请检查网络后重试",
    400: "请求格式错误",
    401: "登录已失效，请重新登录",
    403: "您的角色无权执行此操作",
    404: "找不到请求的内容",
    405: "不支持该操作",
    409: "操作与当前状态冲突，请刷新后重试",
    413: "提交的内容过大",
    422: "填写的内容有误，请按提示修改",
    429: "操作过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后重试或联系管理员",
    502: "服务器暂时无法响应，请稍后重试",
    503: "系统繁忙，请稍后重试",
    504: "服务器响应超时，请稍后重试",
  };

  const labels = {
    caseStatus: { in_review: "审批中", awaiting_pickup: "待出件", closed: "已办结", terminated: "已终止" },
    itemStatus: {
      in_review: "审批中", correction_requested: "补正中", approved: "准予许可", rejected: "不予许可",
      not_applicable: "不再办理（前置事项未获准予）",
    },
    taskState: { ready: "待认领", claimed: "办理中", completed: "已完成", cancelled: "已取消" },
    taskKind: { intake: "受理", approval: "审批", correction: "补正材料", pickup: "统一出件", inspection: "现场核查" },
    decision: { approve: "准予", reject: "不予许可", correct: "要求补正", passed: "核查合格", failed: "核查不合格" },
    inspectionResult: { passed: "合格", failed: "不合格" },
    material: { submitted: "已提交", elicence: "电子证照", shared: "共享数据核验", commitment: "告知承诺",
      tolerated: "容缺（后补）" },
    materialKind: { key: "主要材料", secondary: "次要材料" },
    colour: { green: "正常", yellow: "黄牌预警", red: "红牌超时" },
    procedure: {
      hearing: "听证", tender: "招标", auction: "拍卖", inspection: "检验", testing: "检测",
      quarantine: "检疫", appraisal: "鉴定", expert_review: "专家评审",
    },
    role: { clerk: "综合窗口人员", reviewer: "部门审批人员", head: "部门负责人", supervisor: "效能监督人员", admin: "系统管理员",
      agent: "帮办代办员", monitor: "特邀监督员" },
    delivery: { window: "窗口领取", mail: "邮寄送达", online: "网上领取（电子证照）" },
    rating: { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" },
    channel: { window: "综合窗口", online: "网上申请" },
    event: {
      CaseAccepted: "受理", CaseInReview: "进入审批", TaskOpened: "任务生成", TaskClaimed: "认领任务", TaskReleased: "放弃认领",
      TaskAssigned: "改派任务", TaskCancelled: "任务取消", ItemApproved: "准予许可", ItemRejected: "不予许可",
      ItemNotApplicable: "不再办理（前置事项未获准予）", OutputsLinked: "联动取得材料",
      CorrectionRequested: "要求补正", CorrectionSupplied: "补正材料已提交", MaterialsSupplied: "容缺材料补交",
      MaterialFilesAdded: "上传扫描件",
      ClockPaused: "特别程序开始（暂停计时）", ClockResumed: "特别程序结束（恢复计时）", DeadlineExtended: "延长时限",
      DeadlineColourChanged: "时限预警变化", TimerFired: "定时事件", ELicencesIssued: "电子证照入库",
      ResultsReady: "全部办结，待出件", ResultsHandedOver: "统一出件", CaseClosed: "办结", CaseTerminated: "办件终止",
      CommentAdded: "会商意见", SiteInspected: "现场核查", SiteInspectionWaived: "免于现场核查（书面承诺）",
    },
  };

  const DEPARTMENTS = { window: "综合窗口", office: "政务服务管理办公室" };

  class ApiError extends Error {
    constructor(status, body) {
      const data = body && typeof body === "object" ? body : {};
      super(data.message_zh || STATUS_ZH[status] || `操作未成功（HTTP ${status}）`);
      this.status = status;
      this.body = data;
      this.code = data.code || null;
      this.fieldErrors = flattenErrors(data.errors || {});
    }
  }

  /* {"form": {"name": ["…"]}} and {"form.name": ["…"]} both become {"form.name": "…"}. */
  function flattenErrors(errors, prefix = "", into = {}) {
    if (Array.isArray(errors) || typeof errors !== "object" || errors === null) {
      into[prefix || "_"] = messageText(errors);
      return into;
    }
    for (const [key, value] of Object.entries(errors)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (value && typeof value === "object" && !Array.isArray(value)) flattenErrors(value, name, into);
      else into[name] = messageText(value);
    }
    return into;
  }

  function messageText(value) {
    if (Array.isArray(value)) return value.map(messageText).join("；");
    if (value && typeof value === "object") return Object.values(value).map(messageText).join("；");
    return zhMessage(String(value ?? ""));
  }

  /* The API's own checks answer in Chinese; the request-shape checks of its schema library answer
     in English, so those are put into Chinese here. */
  const SCHEMA_MESSAGES = [
    [/^Missing data for required field\.$/, () => "此项必填"],
    [/^Field may not be null\.$/, () => "此项不能为空"],
    [/^Unknown field\.$/, () => "不认识的字段"],
    [/^Not a valid integer\.$/, () => "须为整数"],
    [/^Not a valid number\.$/, () => "须为数字"],
    [/^Not a valid (string|boolean|list|mapping type|date|datetime)\.$/, () => "格式有误"],
    [/^Invalid input type\.$/, () => "格式有误"],
    [/^Length must be between (\d+) and (\d+)\.$/, (m) => `长度须为 ${m[1]} 至 ${m[2]} 个字符`],
    [/^Shorter than minimum length (\d+)\.$/, (m) => `至少 ${m[1]} 个字符`],
    [/^Longer than maximum length (\d+)\.$/, (m) => `不得超过 ${m[1]} 个字符`],
    [/^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$/, (m) => `须在 ${m[1]} 至 ${m[2]} 之间`],
    [/^Must be greater than or equal to (\S+)\.$/, (m) => `不得小于 ${m[1]}`],
    [/^Must be less than or equal to (\S+)\.$/, (m) => `不得大于 ${m[1]}`],
    [/^Must be one of: (.*)\.$/, (m) => `须为以下之一：${m[1]}`],
  ];

  function zhMessage(text) {
    if (!text || /[\u4e00-\u9fff]/.test(text)) return text;
    for (const [pattern, say] of SCHEMA_MESSAGES) {
      const found = pattern.exec(text);
      if (found) return say(found);
    }
    return "填写有误";
  }

  function cookie(name) {
    const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function toLogin() {
    const next = location.pathname + location.search;
    location.assign(`/app/login?next=${encodeURIComponent(next)}`);
  }

  /* Calls the API. Changes carry the CSRF header and an Idempotency-Key (pass `key` to keep the
     same one across retries of one submission). Answers the parsed JSON (or text for `text`). */
  async function api(method, url, body, options = {}) {
    const headers = { Accept: options.text ? "*/*" : "application/json" };
    // A file (an upload) travels as it is, with its own type; anything else as JSON.
    const file = typeof Blob !== "undefined" && body instanceof Blob;
    // Several files in one request travel as multipart form data, whose boundary the browser sets.
    const form = typeof FormData !== "undefined" && body instanceof FormData;
    if (body !== undefined && !form) headers["Content-Type"] = file ? body.type || "application/octet-stream" : "application/json";
    if (method !== "GET") {
      headers["X-CSRF-Token"] = cookie("onething_csrf");
      headers["Idempotency-Key"] = options.key || newKey();
    }
    let response;
    try {
      response = await fetch(url, {
        method, headers, credentials: "same-origin",
        body: body === undefined ? undefined : file || form ? body : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, null);
    }
    const type = response.headers.get("Content-Type") || "";
    let data = null;
    if (response.status !== 204) {
      if (type.includes("json")) {
        try { data = await response.json(); } catch (err) { data = null; }
      } else if (options.text && response.ok) {
        data = await response.text();
      }
    }
    if (!response.ok) {
      if (response.status === 401 && !options.stayOnPage) toLogin();
      throw new ApiError(response.status, data);
    }
    return data;
  }

  /* h("p", {class: "x", onclick: fn}, "text", child) — text children are text nodes. */
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key === "value") node.value = value;
      else if (key === "checked" || key === "selected" || key === "disabled" || key === "hidden") node[key] = Boolean(value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    append(node, children);
    return node;
  }

  function append(node, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fill(target, ...children) {
    const node = typeof target === "string" ? document.querySelector(target) : target;
    node.replaceChildren();
    return append(node, children);
  }

  function flash(message, kind = "ok") {
    const box = document.getElementById("flash");
    box.replaceChildren(h("p", { class: `notice ${kind}` }, message));
    if (kind !== "error") box.scrollIntoView({ block: "nearest" });
  }

  function clearFlash() {
    document.getElementById("flash").replaceChildren();
  }

  function clearErrors(scope = document) {
    for (const slot of scope.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const field of scope.querySelectorAll(".invalid")) field.classList.remove("invalid");
  }

  /* Shows an error: its Chinese message at the top, each field error next to its field (an element
     with data-error-for="<field>"), and the field errors that have no place listed under the message. */
  function showError(err, scope = document) {
    if (!(err instanceof ApiError)) {
      console.error(err);
      err = new ApiError(500, { message_zh: "页面出现意外错误，请刷新后重试" });
    }
    clearErrors(scope);
    const unplaced = [];
    for (const [field, text] of Object.entries(err.fieldErrors)) {
      const slot = scope.querySelector(`[data-error-for="${CSS.escape(field)}"]`);
      if (slot) {
        slot.textContent = text;
        const input = slot.closest(".field")?.querySelector("input, select, textarea");
        if (input) input.classList.add("invalid");
      } else {
        unplaced.push(h("li", {}, field.startsWith("_") ? text : `${fieldLabel(field, scope)}：${text}`));
      }
    }
    const box = document.getElementById("flash");
    box.replaceChildren(h("div", { class: "notice error" }, h("p", {}, err.message),
      unplaced.length ? h("ul", {}, unplaced) : null));
    box.scrollIntoView({ block: "nearest" });
  }

  const FIELD_PREFIXES = [["xml.", "流程元素 "], ["form.", "表单字段 "], ["materials.", "材料 "], ["applicant.", "申请人 "],
    ["definition.", "定义 "]];

  function fieldLabel(field, scope) {
    const named = scope.querySelector(`[data-label-for="${CSS.escape(field)}"]`)
      || document.querySelector(`[data-label-for="${CSS.escape(field)}"]`);
    if (named) return named.textContent;
    if (field === "xml") return "流程文件";
    const prefix = FIELD_PREFIXES.find(([p]) => field.startsWith(p));
    return prefix ? prefix[1] + field.slice(prefix[0].length) : field;
  }

  /* Runs `work` with the button disabled; shows an error instead of throwing. */
  async function busy(button, work, scope = document) {
    if (button) button.disabled = true;
    try {
      return await work();
    } catch (err) {
      showError(err, scope);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  const dayFormat = new Intl.DateTimeFormat("zh-CN", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" });
  const timeFormat = new Intl.DateTimeFormat("zh-CN", {
    timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
  });

  function formatDateTime(iso) {
    return iso ? timeFormat.format(new Date(iso)).replace(/\//g, "-") : "—";
  }

  function formatDate(iso) {
    if (!iso) return "—";
    return /^\d{4}-\d{2}-\d{2}$/.test(iso) ? iso : dayFormat.format(new Date(iso)).replace(/\//g, "-");
  }

  function percent(share) {
    return share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`;
  }

  /* A file chooser drawn as a button in Chinese (the browser's own control speaks the browser's
     language): a label holding the input, which stays focusable and takes the files. */
  function filePicker(text, attrs) {
    const input = h("input", { type: "file", ...attrs });
    return { input, button: h("label", { class: "button file-button" }, input, text) };
  }

  function badge(text, kind) {
    return h("span", { class: `badge ${kind || ""}` }, text);
  }

  /* The working-day clock of an approval: colour, days left or overdue, paused. */
  function clockBadge(clock) {
    if (!clock) return "—";
    const parts = [];
    if (clock.paused) parts.push("暂停计时");
    if (clock.remaining_days > 0) parts.push(`剩余 ${clock.remaining_days} 个工作日`);
    else if (clock.remaining_days === 0) parts.push("今日到期");
    else parts.push(`超期 ${-clock.remaining_days} 个工作日`);
    const node = h("span", { class: "clock" }, badge(labels.colour[clock.colour] || clock.colour, clock.colour),
      " ", parts.join("，"));
    node.title = `到期日 ${clock.due_on}（时限 ${clock.limit_days} 个工作日）` +
      (clock.unconfirmed_years && clock.unconfirmed_years.length ? `；${clock.unconfirmed_years.join("、")} 年节假日尚未确认，到期日为估算` : "");
    return node;
  }

  function departmentName(code, names) {
    // A unit of a department at a district (wj@hongqi) unnamed here is called by its department's name.
    const base = String(code).split("@")[0];
    return (names && (names[code] || names[base])) || DEPARTMENTS[code] || DEPARTMENTS[base] || code;
  }

  /* The departments' units at the service points (wj@hongqi: 红旗区卫生健康委) added to `departments`
     (code -> name), from GET /api/hall/points. */
  function addUnits(departments, points) {
    for (const p of points) {
      for (const d of p.departments || []) if (departments[d]) departments[`${d}@${p.code}`] = `${p.area}${departments[d]}`;
    }
    return departments;
  }

  function table(headers, rows, empty = "暂无数据") {
    if (!rows.length) return h("p", { class: "empty" }, empty);
    return h("table", {}, h("thead", {}, h("tr", {}, headers.map((x) => h("th", {}, x)))),
      // data-label: each cell's heading, shown beside it when a narrow screen stacks the rows.
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => h("td", { "data-label": headers[i] }, c))))));
  }

  /* A 404 from routing (the server has no such endpoint), not "no such case" from a use case. */
  function isMissingEndpoint(err) {
    return err instanceof ApiError && err.status === 404 && (!err.body || err.body.message_zh === "找不到请求的资源");
  }

  function param(name) {
    return document.body.dataset[name] || "";
  }

  let currentUser = null;

  function hasRole(user, roles) {
    return !roles.length || user.roles.some((r) => roles.includes(r));
  }

  function showNavigation(user) {
    for (const link of document.querySelectorAll("#nav a")) {
      const roles = link.dataset.roles ? link.dataset.roles.split(" ") : [];
      link.hidden = !hasRole(user, roles);
      if (link.getAttribute("href") === location.pathname) link.classList.add("current");
    }
    const roleNames = user.roles.map((r) => labels.role[r] || r).join("、");
    fill("#who", `${user.name}（${roleNames}）`);
    const logout = document.getElementById("logout");
    logout.hidden = false;
    logout.addEventListener("click", () => busy(logout, async () => {
      await api("POST", "/api/auth/logout");
      location.assign("/app/login");
    }));
  }

  /* A page's start-up: who is signed in (else the login page, unless `signedOutToo`), the
     navigation, then `init(user)`. A page meant for other roles says so and does not call `init`. */
  function start(init, options = {}) {
    const run = async () => {
      let user;
      try {
        user = await api("GET", "/api/auth/me", undefined, { stayOnPage: Boolean(options.signedOutToo) });
      } catch (err) {
        if (err.status !== 401) showError(err);
        return;
      }
      currentUser = user;
      showNavigation(user);
      const roles = document.body.dataset.roles ? document.body.dataset.roles.split(" ") : [];
      if (!hasRole(user, roles)) {
        const names = roles.map((r) => labels.role[r] || r).join("、");
        flash(`此页面供${names}使用，您当前的角色无权使用。请从上方导航进入您的工作页面。`, "error");
        document.getElementById("content").hidden = true;
        return;
      }
      try {
        await init(user);
      } catch (err) {
        showError(err);
      }
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
    else run();
  }

  /* Dates are typed as 年-月-日 into text inputs marked data-date, never the browser's own date
     picker, which writes and shows dates in the browser's locale (mm/dd/yyyy in an English
     Chromium). Looser forms (2026/12/4, 2026.12.4, 20261204, 2026年12月4日) are written back as
     2026-12-04 when the field is left; a form holding a date that cannot be read or does not
     exist is not submitted, and says so beside the field. */
  const DATE_PLACEHOLDER = "年-月-日 如 2026-12-04";
  const DATE_PROBLEM = "日期无法识别或不存在，请按 年-月-日 填写，如 2026-12-04";

  /* "2026-12-04" for a real day written in one of the forms above, "" for nothing, null otherwise. */
  function normalDate(text) {
    const raw = String(text || "").trim();
    if (!raw) return "";
    const found = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(raw) || /^(\d{4})(\d{2})(\d{2})$/.exec(raw);
    if (!found) return null;
    const [y, m, d] = found.slice(1, 4).map(Number);
    const day = new Date(Date.UTC(y, m - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return null;
    return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  }

  /* The attributes of a date input made by script (templates write the same by hand). */
  function dateAttrs(attrs = {}) {
    return { ...attrs, type: "text", "data-date": "", inputmode: "numeric", maxlength: "11", autocomplete: "off",
      placeholder: DATE_PLACEHOLDER };
  }

  document.addEventListener("focusout", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-date")) return;
    const day = normalDate(input.value);
    if (day) input.value = day;
  }, true);

  // Capturing: runs before the page's own submit handler, which then sees only good dates.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    const errors = {};
    for (const input of form.querySelectorAll("input[data-date]")) {
      const day = normalDate(input.value);
      if (day === null) errors[input.name] = [DATE_PROBLEM];
      else input.value = day;
    }
    if (!Object.keys(errors).length) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    showError(new ApiError(422, { message_zh: "日期填写有误，请按 年-月-日 填写，如 2026-12-04", errors }), form);
  }, true);

  /* The landing page of a role after login. */
  function homeOf(user) {
    const roles = user.roles || [];
    if (roles.includes("clerk") || roles.includes("agent")) return "/app/window";
    if (roles.includes("reviewer") || roles.includes("head")) return "/app/inbox";
    if (roles.includes("supervisor")) return "/app/supervision";
    if (roles.includes("admin")) return "/app/admin/flows";
    if (roles.includes("monitor")) return "/app/work-orders";
    return "/app/";
  }

  return {
    api, ApiError, h, append, fill, flash, clearFlash, clearErrors, showError, busy, labels, formatDate, filePicker,
    formatDateTime, percent, badge, clockBadge, departmentName, addUnits, table, param, start, homeOf, newKey, isMissingEndpoint,
    normalDate, dateAttrs, DATE_PROBLEM,
    get user() { return currentUser; },
  };
})();
