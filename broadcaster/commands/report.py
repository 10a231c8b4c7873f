"""`broadcaster report`: the periodic report to the level above (Decree 30/2020/NĐ-CP layout)."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from broadcaster.commands import add_station_argument

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "report",
        help="báo cáo định kỳ lên cấp trên (tháng, quý hoặc khoảng ngày): PDF/HTML để in, XLSX/CSV cho Excel",
        description=(
            "Báo cáo kết quả hoạt động của đài theo thể thức văn bản hành chính (Nghị định 30/2020/NĐ-CP): "
            "buổi phát theo kế hoạch, đã phát, bị gián đoạn, bị lỡ và lý do; bản tin theo chủ đề và theo thôn; "
            "thời lượng phát; tin khẩn cấp; giọng đọc dự phòng; so sánh với kỳ trước; mã cuối chuỗi của nhật ký "
            "và điểm kiểm tra có chữ ký của đài để đối chiếu. Lượt chạy thử (ghi ra tệp) không được tính là đã phát."
        ),
    )
    add_station_argument(parser)
    parser.add_argument("--month", metavar="THÁNG", help="báo cáo tháng: 2026-11 hoặc 11/2026")
    parser.add_argument("--quarter", metavar="QUÝ", help="báo cáo quý: 2026-Q4 hoặc Q4/2026")
    parser.add_argument("--from", dest="start", metavar="NGÀY", help="từ ngày (cùng với --to)")
    parser.add_argument("--to", dest="end", metavar="NGÀY", help="đến ngày (tính cả ngày này)")
    parser.add_argument("-o", "--output", metavar="TỆP",
                        help="ghi ra tệp .pdf hoặc .html (để in, ký), .xlsx hoặc .csv (mở bằng Excel); mặc định in "
                        "tóm tắt ra màn hình")
    parser.add_argument("--sep", choices=[",", ";"], default=",",
                        help="dấu phân cách cột của CSV: ',' (mặc định) hoặc ';' cho Excel cài tiếng Việt")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # lazy: SQLite and the report layout only when `report` runs
    from broadcaster.reports import cell_text, proof_lines, tables
    from broadcaster.services.report import format_of, make_report, write_report

    if args.output:
        format_of(args.output)  # a wrong extension fails before the log is read
    report = make_report(args.station, today=datetime.now().date(), month=args.month, quarter=args.quarter,
                         start=args.start, end=args.end)
    if args.output:
        write_report(report, args.output, sep=args.sep)
        print(f"Đã ghi báo cáo {report.period.label} vào {args.output}")
        return 0
    out = [f"Báo cáo {report.period.label} — {report.station.name}"]
    for table in tables(report):
        out += ["", table.title, "  " + " | ".join(table.headers)]
        out += ["  " + " | ".join(cell_text(v) for v in row) for row in table.rows]
    out += ["", *proof_lines(report)]
    sys.stdout.write("\n".join(out) + "\n")
    return 0
