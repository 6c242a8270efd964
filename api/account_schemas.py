"""Wire schemas of logins, users and the audit trail."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from engine.domain.access import STAFF_ROLES
from engine.domain.records import ID_MAX


def _roles(required: bool) -> fields.List[str]:
    """A user's roles: required when the user is created (no role is a safe guess), optional in a change."""
    return fields.List(fields.String(validate=validate.OneOf([r.value for r in STAFF_ROLES])), required=required,
                       validate=validate.Length(min=1, max=5),
                       metadata={"description": "clerk 窗口 / reviewer 审批 / head 部门负责人 / "
                                                "supervisor 监督 / admin 管理员"})


class LoginSchema(Schema):
    # An empty login or password is asked for by name, as the login page does.
    login = fields.String(required=True, error_messages={"required": "请输入登录名"},
                          validate=[validate.Length(min=1, error="请输入登录名"),
                                    validate.Length(max=64, error="登录名不得超过 {max} 个字符")])
    password = fields.String(required=True, load_only=True, error_messages={"required": "请输入密码"},
                             validate=[validate.Length(min=1, error="请输入密码"),
                                       validate.Length(max=200, error="密码不得超过 {max} 个字符")])


class PrincipalSchema(Schema):
    login = fields.String()
    name = fields.String()
    department = fields.String()
    roles = fields.List(fields.String())
    service_point = fields.String(allow_none=True,
                                  metadata={"description": "窗口人员、帮办代办员所在服务点（空：市级中心）"})


class LoginAnswerSchema(Schema):
    token = fields.String(metadata={"description": "Bearer token for the API: Authorization: Bearer <token>"})
    token_id = fields.String()
    expires_at = fields.DateTime()
    csrf_token = fields.String(metadata={"description": "X-CSRF-Token for state changes made with the cookie"})
    user = fields.Nested(PrincipalSchema)


class TokenSchema(Schema):
    id = fields.String()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    address = fields.String(allow_none=True)
    current = fields.Boolean()


class UserSchema(Schema):
    login = fields.String()
    name = fields.String()
    department = fields.String()
    roles = fields.List(fields.String())
    service_point = fields.String(allow_none=True)
    active = fields.Boolean()
    demo = fields.Boolean()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class CreateUserSchema(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    department = fields.String(required=True, validate=validate.Length(min=1, max=32))
    roles = _roles(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    service_point = fields.String(allow_none=True, load_default=None, validate=validate.Length(min=1, max=32),
                                  metadata={"description": "窗口人员、帮办代办员所在服务点的编码（空：市级中心）"})


class UpdateUserSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=100))
    department = fields.String(validate=validate.Length(min=1, max=32))
    roles = _roles(required=False)
    active = fields.Boolean()
    password = fields.String(validate=validate.Length(min=1, max=200), load_only=True)
    service_point = fields.String(allow_none=True, validate=validate.Length(min=1, max=32))


class UserListArgsSchema(Schema):
    department = fields.String(validate=validate.Length(max=32))


class RevokedSchema(Schema):
    revoked = fields.Integer()


class BrokenLinkSchema(Schema):
    chain = fields.String()
    seq = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    problem = fields.String()


class DisagreementSchema(Schema):
    case = fields.String(metadata={"description": "case number"})
    what = fields.String(metadata={"description": "status, or item <code>"})
    row = fields.String(metadata={"description": "what the row holds"})
    events = fields.String(metadata={"description": "what the events say"})


class StoredFileSchema(Schema):
    case = fields.String()
    sha256 = fields.String()


class AuditVerifySchema(Schema):
    ok = fields.Boolean()
    chains = fields.Integer()
    events = fields.Integer()
    broken = fields.Nested(BrokenLinkSchema, allow_none=True)
    unkeyed = fields.Integer(metadata={"description": "events hashed without ONETHING_AUDIT_KEY (written before it)"})
    disagreeing = fields.Integer(metadata={"description": "case rows that their events do not explain"})
    disagreements = fields.List(fields.Nested(DisagreementSchema), metadata={
        "description": "the first 100: 办件状态或事项状态与事件记录不符"})
    files_checked = fields.Integer(metadata={"description": "material files found in the store with their digests"})
    files_missing = fields.List(fields.Nested(StoredFileSchema), metadata={
        "description": "材料文件在存储中缺失：办件编号与 SHA-256"})
    files_altered = fields.List(fields.Nested(StoredFileSchema), metadata={
        "description": "材料文件在存储中被改动（内容与事件链中的 SHA-256 不符）"})
    skipped = fields.Integer(metadata={
        "description": "incremental: case chains not read, unchanged since a verification found them sound"})


class AuditVerifyArgsSchema(Schema):
    incremental = fields.Boolean(load_default=False, metadata={
        "description": "只核验上次核验以来有新事件的链（夜间增量核验）；全量核验另行定期运行"})
    case = fields.String(validate=validate.Length(min=1, max=40, error="办件编号不能超过 40 个字符"), metadata={
        "description": "只核验这一件办件的链（办件编号或 id）：事件、办件状态与材料文件"})

    @validates_schema
    def _one_scope(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("case") and data.get("incremental"):
            raise ValidationError("核验一件办件时不能同时选择增量核验", "incremental")


class AuditEventSchema(Schema):
    seq = fields.Integer()
    type = fields.String()
    actor_user = fields.String()
    actor_department = fields.String()
    actor_role = fields.String()
    actor_address = fields.String(allow_none=True)
    subject = fields.String()
    data = fields.Dict()
    occurred_at = fields.DateTime()
    hash = fields.String()


class AuditEventArgsSchema(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=ID_MAX))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    before = fields.Integer(validate=validate.Range(min=1, max=ID_MAX), metadata={
        "description": "只列此序号之前的事件，最新的在前（翻看最近的记录：传一个大于最后序号的数）"})
