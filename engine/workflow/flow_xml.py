"""Reading an uploaded BPMN file as XML, treating it as hostile until it has proven otherwise.

Refused, each with a ``FlowProblem``: files over the size limit, bytes that are not UTF-8, any document
type declaration (``<!DOCTYPE``: the doorway to external entities and entity-expansion bombs such as
"billion laughs"), text that is not well-formed XML, and a root element other than BPMN ``definitions``.
A document type declaration is refused by looking at the text before any parser sees it, and the lxml
parser is hardened besides (no entity expansion, no DTD loading, no network, libxml2's size and depth
limits left on), so nothing here reads a file, opens a connection or grows without bound.

``read_flow_xml`` never raises: it answers the parsed root, or ``None`` and the problems that stopped it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.domain.flow_problems import FlowProblem, FlowRule
from engine.workflow.specs import MAX_BPMN_BYTES

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DEFINITIONS = f"{{{BPMN_NS}}}definitions"
MAX_FLOW_BYTES = MAX_BPMN_BYTES
"""The default size limit: the same as deployment's, so that a file that passes here can be deployed."""

_UTF8_BOM = b"\xef\xbb\xbf"
_DOCTYPE = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED_ENCODING = re.compile(r"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")
_HEAD = 300  # the XML declaration, if any, is at the very start


@dataclass(frozen=True)
class XmlReading:
    root: Any | None
    """The ``definitions`` element (an lxml element), or ``None`` when the file was refused."""
    problems: list[FlowProblem] = field(default_factory=list)


def _refused(rule: FlowRule, zh: str, en: str, line: int | None = None) -> XmlReading:
    return XmlReading(None, [FlowProblem.error(rule, None, line, zh, en)])


def _hardened_parser() -> Any:
    # encoding="utf-8" overrides whatever the XML declaration claims: the bytes were checked to be UTF-8.
    return etree.XMLParser(
        encoding="utf-8", resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_pis=True, remove_comments=True,
    )


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def read_flow_xml(xml: Any, *, max_bytes: int = MAX_FLOW_BYTES) -> XmlReading:
    """Check and parse ``xml`` (bytes; a str is taken as its UTF-8 encoding). Never raises."""
    if isinstance(xml, str):
        xml = xml.encode("utf-8", errors="surrogatepass")
    if isinstance(xml, (bytearray, memoryview)):
        xml = bytes(xml)
    if not isinstance(xml, bytes):
        return _refused(FlowRule.NOT_XML, "上传的内容不是文件数据",
                        f"expected the file's bytes, got {type(xml).__name__}")
    if len(xml) > max_bytes:
        return _refused(FlowRule.TOO_LARGE, f"文件过大（{len(xml)} 字节），上限为 {max_bytes} 字节",
                        f"the file is too large ({len(xml)} bytes, limit {max_bytes})")
    data = xml[len(_UTF8_BOM):] if xml.startswith(_UTF8_BOM) else xml
    if not data.strip():
        return _refused(FlowRule.EMPTY, "文件为空", "the file is empty")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return _refused(FlowRule.ENCODING, f"文件不是 UTF-8 编码（第 {line} 行第一个无法识别的字节）",
                        f"the file is not UTF-8 encoded (first invalid byte on line {line})", line)
    doctype = _DOCTYPE.search(text)
    if doctype is not None:
        line = _line_of(text, doctype.start())
        return _refused(FlowRule.DOCTYPE,
                        "文件含有文档类型声明（<!DOCTYPE> 或 <!ENTITY>），出于安全考虑不予接受；BPMN 文件不需要它",
                        "the file contains a document type declaration (<!DOCTYPE> or <!ENTITY>); it is refused "
                        "for safety (external entities, entity expansion) and BPMN files do not need one", line)
    problems: list[FlowProblem] = []
    declared = _DECLARED_ENCODING.match(text[:_HEAD])
    if declared is not None and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        problems.append(FlowProblem.warning(
            FlowRule.ENCODING_DECLARATION, None, 1,
            f"XML 声明的编码为 {declared.group(1)}，但文件按 UTF-8 读取；请以 UTF-8 保存并修改声明",
            f"the XML declaration says {declared.group(1)}, but the file is read as UTF-8; save it as UTF-8 "
            "and say so in the declaration"))
    try:
        root = etree.fromstring(data, parser=_hardened_parser())
    except etree.XMLSyntaxError as err:
        syntax_line = err.lineno if isinstance(err.lineno, int) and err.lineno > 0 else None
        message = getattr(err, "msg", None) or str(err)
        return XmlReading(None, [*problems, FlowProblem.error(
            FlowRule.NOT_XML, None, syntax_line, f"不是格式正确的 XML：{message}",
            f"not well-formed XML: {message}")])
    except (etree.LxmlError, ValueError, MemoryError, RecursionError) as err:
        return XmlReading(None, [*problems, FlowProblem.error(
            FlowRule.NOT_XML, None, None, f"无法作为 XML 读取：{err}", f"cannot be read as XML: {err}")])
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None or docinfo.doctype:
        return _refused(FlowRule.DOCTYPE, "文件含有文档类型声明，不予接受", "the file has a document type declaration")
    if root.tag != DEFINITIONS:
        found = etree.QName(root).localname if isinstance(root.tag, str) else str(root.tag)
        namespace = etree.QName(root).namespace if isinstance(root.tag, str) else None
        return XmlReading(None, [*problems, FlowProblem.error(
            FlowRule.NOT_BPMN, None, root.sourceline,
            f"不是 BPMN 2.0 文件：根元素应为 BPMN 命名空间（{BPMN_NS}）中的 definitions，实际为 {found}"
            f"（命名空间 {namespace or '无'}）",
            f"not a BPMN 2.0 file: the root element must be definitions in the BPMN namespace ({BPMN_NS}), "
            f"found {found} (namespace {namespace or 'none'})")])
    return XmlReading(root, problems)



_DECLARED_ENCODING_BYTES = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]{1,40})["']""")


def declared_utf8(xml: bytes) -> bytes:
    """The file with its XML declaration saying UTF-8, when the bytes are UTF-8 but the declaration
    names another encoding (as files from some modellers do). The checks read such a file as UTF-8;
    without this, the parser would believe the declaration and garble every Chinese name."""
    body = xml.removeprefix(b"\xef\xbb\xbf")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return xml
    declared = _DECLARED_ENCODING_BYTES.match(body[:_HEAD])
    if declared is None or declared.group(1).lower().replace(b"_", b"-") in (b"utf-8", b"utf8"):
        return xml
    return xml[:len(xml) - len(body)] + body[:declared.start(1)] + b"UTF-8" + body[declared.end(1):]
