"""Why a text is read the way it is: each replacement the normalizer made, with the rule or the dictionary entry
behind it, in Vietnamese for the officer (`broadcaster normalize --explain`, the desk's preview). An officer who
wants another reading sees which section of `pronunciations.yaml` to change.
"""

from __future__ import annotations

from dataclasses import dataclass

from broadcaster.speech.normalize import Dictionary, Step, entry_origin, explain, load_dictionary

__all__ = ["RULE_LABELS", "Part", "explain_parts", "format_explanation"]

# rule id (as traced) -> what the officer reads
RULE_LABELS = {
    "email": "địa chỉ thư điện tử, đọc từng phần",
    "web": "địa chỉ trang web, đọc từng phần",
    "identifier": "số tài khoản, mã số: đọc từng chữ số",
    "phone number": "số điện thoại: đọc từng chữ số",
    "document code": "số hiệu văn bản: loại, số, năm, cơ quan ban hành",
    "citation": "trích dẫn văn bản: số và năm",
    "informal amount": "số tiền viết tắt (k = nghìn, tr = triệu)",
    "money range": "khoảng tiền: đọc “đến”",
    "money": "số tiền và đơn vị tiền tệ",
    "place abbreviation": "viết tắt địa danh (Tp., TX., TT., P., Q.)",
    "bracketed abbreviation": "bỏ chữ viết tắt trong ngoặc vì vừa đọc đủ",
    "abbreviation": "chữ viết tắt",
    "word": "từ mượn, tên riêng",
    "negative number": "dấu trừ: đọc “âm”",
    "multiplication": "kích thước: đọc “nhân”",
    "fraction": "phân số",
    "mixed number": "hỗn số",
    "date range": "khoảng ngày: đọc “đến”",
    "date": "ngày tháng",
    "month and year": "tháng và năm",
    "weekday range": "khoảng thứ trong tuần",
    "duration": "thời lượng (giờ, phút, giây)",
    "time range": "khoảng giờ: đọc “đến”",
    "time": "giờ",
    "quantity range": "khoảng số lượng có đơn vị: đọc “đến”",
    "quantity per quantity": "đơn vị trên đơn vị: đọc “trên”",
    "quantity": "số lượng có đơn vị đo",
    "rate per unit": "mỗi đơn vị: đọc “một”",
    "month": "tháng",
    "ordinal": "số thứ tự",
    "Roman level": "số La Mã sau số",
    "number after a noun": "số sau danh từ (chương, điều, khóa...), kể cả số La Mã",
    "Roman heading": "đề mục số La Mã đầu dòng",
    "list numeral": "số thứ tự liệt kê (i), (ii)",
    "ratio": "tỉ số: đọc “trên”",
    "range": "khoảng số: đọc “đến”",
    "section number": "số mục (1.2): đọc “chấm”",
    "number": "số",
    "capitals": "chữ in hoa không có trong từ điển: đánh vần",
}
_SECTIONS = {
    "abbreviations": "abbreviations", "context": "context (theo ngữ cảnh)", "words": "words",
    "doc_types": "doc_types (loại văn bản)", "issuers": "issuers (cơ quan ban hành)", "units": "units (đơn vị đo)",
    "url_words": "url_words (phần địa chỉ web)", "letters": "letters (tên chữ cái)",
}


@dataclass(frozen=True)
class Part:
    written: str
    spoken: str
    rule: str  # Vietnamese label
    entries: tuple[str, ...]  # "abbreviations: UBND (có sẵn)"


def explain_parts(text: str, dictionary: Dictionary | None = None) -> tuple[str, list[Part]]:
    """The spoken text and each part that was changed, labelled for the officer. Lower-casing a heading word
    ("KẾ" -> "kế") is not listed: nothing to fix there."""
    d = dictionary if dictionary is not None else load_dictionary()
    spoken, steps = explain(text, d)
    return spoken, [_part(s, d) for s in steps if not _trivial(s)]


def _trivial(step: Step) -> bool:
    return step.rule == "capitals" and step.spoken == step.written.lower()


def _part(step: Step, d: Dictionary) -> Part:
    entries = []
    for entry in step.entries:
        section, _, key = entry.partition(".")
        if section == "letters":
            entries.append("letters (tên chữ cái)")
            continue
        origin = "của đài" if entry_origin(entry, d) == "station" else "có sẵn"
        entries.append(f"{_SECTIONS.get(section, section)}: {key} ({origin})")
    return Part(step.written, step.spoken, RULE_LABELS.get(step.rule, step.rule), tuple(dict.fromkeys(entries)))


def format_explanation(text: str, dictionary: Dictionary | None = None) -> str:
    """The explanation as the officer reads it on a terminal."""
    spoken, parts = explain_parts(text, dictionary)
    lines = ["Máy sẽ đọc:", f"  {spoken}", ""]
    if not parts:
        lines.append("Không có phần nào phải đổi: văn bản được đọc đúng như viết.")
        return "\n".join(lines)
    lines.append("Từng phần đã đổi (quy tắc hoặc mục từ điển đã dùng):")
    for p in parts:
        lines.append(f"  «{p.written.strip()}» → «{p.spoken.strip()}»")
        where = f"quy tắc: {p.rule}" + (f"; từ điển: {', '.join(p.entries)}" if p.entries else "")
        lines.append(f"      {where}")
    lines += ["", "Muốn đọc khác: thêm hoặc sửa mục tương ứng (abbreviations, words, units, url_words...) trong "
              "pronunciations.yaml của đài, chạy 'broadcaster check', rồi xem lại bằng lệnh này."]
    return "\n".join(lines)
