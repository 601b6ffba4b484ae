"""The printable mediation agreement (调解协议书) as a PDF.

ReportLab's built-in Adobe CID font ``STSong-Light`` renders Chinese without shipping font
files (the PDF viewer supplies the glyphs). Numbers and codes are set in Helvetica so they
stay plain text in the file (searchable, and checked by the tests).
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Mediation

FONT = "STSong-Light"
LATIN = "Helvetica"


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _latin(text: str) -> str:
    """Inline ASCII (numbers, codes) in a Latin font."""
    return f'<font name="{LATIN}">{escape(text)}</font>'


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def render_agreement_pdf(mediation: Mediation) -> bytes:
    """The agreement of ``mediation`` (which must have reached one) as PDF bytes."""
    _register_font()
    body = ParagraphStyle("body", fontName=FONT, fontSize=11, leading=18)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=26, alignment=TA_CENTER)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=14, alignment=TA_CENTER)

    case = mediation.case
    applicants = "、".join(p.person.name for p in case.parties.select_related("person"))
    respondent = _text(mediation.respondent_name)
    if mediation.respondent_credit_code:
        respondent += f"(统一社会信用代码:{_latin(mediation.respondent_credit_code)})"
    mediators = "、".join(u.name or u.username for u in mediation.mediators.all())
    amount = mediation.agreement_amount
    agreed = timezone.localtime(mediation.agreed_at) if mediation.agreed_at else timezone.now()

    story = [
        Paragraph("劳动争议调解协议书", title),
        Paragraph(f"编号:{_latin(mediation.number)}  诉求编号:{_latin(case.number)}", small),
        Spacer(1, 6 * mm),
        Paragraph(f"申请人:{_text(applicants) or '—'}", body),
        Paragraph(f"被申请人:{respondent}", body),
    ]
    if mediation.respondent_representative:
        story.append(
            Paragraph(f"法定代表人或委托代理人:{_text(mediation.respondent_representative)}", body)
        )
    story += [
        Paragraph(f"调解组织:{_text(mediation.organization.name)}", body),
        Paragraph(f"调解员:{_text(mediators) or '—'}", body),
        Spacer(1, 4 * mm),
        Paragraph("申请调解事项:", body),
        Paragraph(_text(mediation.claims) or "—", body),
        Spacer(1, 4 * mm),
        Paragraph("经调解,双方自愿达成如下协议:", body),
        Paragraph(_text(mediation.agreement_terms), body),
        Spacer(1, 4 * mm),
        Paragraph(
            "协议金额:" + (_latin(f"{amount:,.2f}") + " 元" if amount is not None else "—"),
            body,
        ),
        Paragraph(
            "履行期限:"
            + (_latin(mediation.performance_due.isoformat()) if mediation.performance_due else "—"),
            body,
        ),
        Paragraph("本协议自双方签字(盖章)之日起生效,一式三份,双方当事人和调解组织各执一份。", body),
        Spacer(1, 12 * mm),
    ]
    signatures = Table(
        [
            ["申请人(签字):", "被申请人(签字、盖章):"],
            ["", ""],
            ["调解员(签字):", "调解组织(盖章):"],
            ["", ""],
            [f"日期:{agreed:%Y-%m-%d}", ""],
        ],
        colWidths=[85 * mm, 85 * mm],
        rowHeights=[8 * mm, 14 * mm, 8 * mm, 14 * mm, 8 * mm],
    )
    signatures.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 11),
                ("LINEBELOW", (0, 1), (-1, 1), 0.5, "black"),
                ("LINEBELOW", (0, 3), (-1, 3), 0.5, "black"),
            ]
        )
    )
    story.append(signatures)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=f"调解协议书 {mediation.number}",
        author=mediation.organization.name,
    )
    doc.build(story)
    return buffer.getvalue()


def agreement_pdf_response(mediation: Mediation) -> HttpResponse:
    """The agreement PDF of ``mediation`` as a private, inline download."""
    response = HttpResponse(render_agreement_pdf(mediation), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{mediation.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
