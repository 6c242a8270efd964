"""会商: comments between the departments of a case (and the window), and the inbox's marks of the
cases whose comments ask a department to read them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from api.access import current_actor, current_principal
from api.cases import ctx
from api.idempotency import request_key
from engine.domain.comments import MAX_TEXT, Comment
from engine.domain.records import ID_MAX
from engine.services.case_comments import (
    AddComment,
    CaseComments,
    add_comment,
    get_comment,
    list_comments,
    list_mentions,
)
from forms.masking import PRESENTED

blp = Blueprint("case_comments", __name__, url_prefix="/api/cases", description="部门会商：办件涉及部门之间的意见交流")
mentions_blp = Blueprint("comment_mentions", __name__, url_prefix="/api/comments",
                         description="部门会商：提请本部门阅看的办件")


class AddCommentSchema(Schema):
    text = fields.String(required=True, error_messages={"required": "请填写会商意见", "invalid": "会商意见须为文字"},
                         metadata={"description": f"会商意见，去掉首尾空白后 1 至 {MAX_TEXT} 个字符"})
    reply_to = fields.Integer(strict=True, allow_none=True, load_default=None,
                              validate=validate.Range(min=1, max=ID_MAX, error="须为本办件中的一条会商意见"),
                              error_messages={"invalid": "须为会商意见的编号"},
                              metadata={"description": "回复的会商意见编号（id）"})
    mention = fields.Raw(load_default=None, metadata={
        "description": "提请阅看的部门：一个部门代码或部门代码列表，须为本办件涉及的部门（或 window 综合窗口）",
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})


class DepartmentSchema(Schema):
    code = fields.String()
    name = fields.String()


class CommentAuthorSchema(Schema):
    user = fields.String(metadata={"description": "登录名"})
    name = fields.String(metadata={"description": "发表时的姓名"})
    department = fields.String()
    department_name = fields.String()
    role = fields.String()


class CommentSchema(Schema):
    id = fields.Integer(metadata={"description": "意见编号：其在办件事件链中的序号"})
    text = fields.String(metadata={"description": "无权查看个人信息的角色看到脱敏后的文字"})
    reply_to = fields.Integer(allow_none=True)
    mention = fields.List(fields.Nested(DepartmentSchema))
    author = fields.Nested(CommentAuthorSchema)
    at = fields.DateTime()


class CaseCommentsSchema(Schema):
    case_number = fields.String()
    status = fields.String()
    may_write = fields.Boolean(metadata={"description": "当前用户能否发表（效能监督人员只读；办结的办件不能再发表）"})
    departments = fields.List(fields.Nested(DepartmentSchema), metadata={"description": "可提请阅看的部门"})
    items = fields.List(fields.Nested(CommentSchema), metadata={"description": "会商意见，按时间先后"})


class CommentMentionSchema(Schema):
    case_number = fields.String()
    count = fields.Integer(metadata={"description": "提请本部门阅看的会商意见条数"})
    last_at = fields.DateTime()


class CommentMentionsSchema(Schema):
    items = fields.List(fields.Nested(CommentMentionSchema))


def _comment_view(comment: Comment, found: CaseComments) -> dict[str, Any]:
    named = found.departments
    return {
        "id": comment.id,
        # Personal numbers written in a comment are masked for who does not handle the case, as in its timeline.
        "text": comment.text if found.personal_data else PRESENTED.text(comment.text),
        "reply_to": comment.reply_to,
        "mention": [{"code": code, "name": named.get(code, code)} for code in comment.mentions],
        "author": {"user": comment.author, "name": comment.author_name, "department": comment.department,
                   "department_name": named.get(comment.department, comment.department), "role": comment.role},
        "at": comment.at,
    }


@blp.route("/<string:ref>/comments")
class CaseCommentList(MethodView):
    @blp.response(200, CaseCommentsSchema)
    def get(self, ref: str) -> dict[str, Any]:
        """The case's comments (部门会商), oldest first, for whoever may see the case; closed cases too"""
        found = list_comments(ctx(), ref, current_principal())
        return {"case_number": found.case.number, "status": found.case.status, "may_write": found.may_write,
                "departments": [{"code": c, "name": n} for c, n in found.departments.items()],
                "items": [_comment_view(c, found) for c in found.comments]}

    @blp.arguments(AddCommentSchema())
    @blp.response(201, CommentSchema)
    def post(self, body: dict[str, Any], ref: str) -> tuple[dict[str, Any], int]:
        """Write a comment on the case (or a reply), asking departments of the case to read it; kept in the
        case's hash-chained event log. Supervisors read only (403); a closed case takes none (409)"""
        viewer = current_principal()
        applied = add_comment(AddComment(ref, body["text"], current_actor(), viewer, body["reply_to"],
                                         body["mention"], request_key(body)), ctx())
        found, comment = get_comment(ctx(), applied.resource_id, viewer)
        return _comment_view(comment, found), applied.status_code


@mentions_blp.route("/mentions")
class CommentMentions(MethodView):
    @mentions_blp.response(200, CommentMentionsSchema)
    def get(self) -> dict[str, Any]:
        """The running cases whose comments ask your department (a clerk: the window) to read them, newest first"""
        marks = list_mentions(ctx(), current_principal())
        return {"items": [{"case_number": m.case_number, "count": m.count, "last_at": m.last_at} for m in marks]}
