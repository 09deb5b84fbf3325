"""What each form says, as plain frozen dataclasses.

The renderers in ``forms``, ``ledger`` and ``e_receipt`` take these and
nothing else (no ORM objects), so they can be tested alone; adapters
elsewhere build them from a dossier or a payment. Conventions for every
field:

- text is printed as given (names keep their case and diacritics; the
  letterhead puts agency names in capitals itself);
- instants are aware ``datetime``s in UTC (any aware value works; naive
  ones raise TypeError), printed in Asia/Ho_Chi_Minh;
- money is whole đồng as ``int``;
- optional values are ``None`` or "" when unknown, and their line is left
  out of the form.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

#: result channels (Circular 01/2018/TT-VPCP, Mẫu 01, item 6)
RESULT_CHANNELS = ("counter", "postal", "online")
#: the marks of Form 05 and Form 06: before, on or after the deadline
OUTCOMES = ("early", "on_time", "late")


@dataclass(frozen=True)
class Issuer:
    """The agency issuing a slip: the letterhead's left column and the
    place of its date line.

    - ``agency``: the issuing agency, "UBND phường Gia Sàng" (printed in capitals);
    - ``parent_agency``: its parent, "UBND thành phố Thái Nguyên" ("" for none);
    - ``place``: the city named in the date line, from the settings, "Thái Nguyên"
      ("" writes the date alone).
    """

    agency: str
    parent_agency: str = ""
    place: str = ""


@dataclass(frozen=True)
class Applicant:
    """Who the dossier is for (cá nhân or tổ chức), and who handed it in.

    - ``name``: the person's full name or the organisation's name;
    - ``kind``: "person" or "organisation";
    - ``tax_code``: an organisation's tax code (mã số thuế), "" otherwise;
    - ``representative``: an organisation's representative (người đại diện);
    - ``submitter``: người nộp thay, who handed the dossier in for the
      applicant; "" when the applicant did;
    - ``address``, ``phone``, ``email``: contact details, "" when unknown.
    """

    name: str
    kind: str = "person"
    tax_code: str = ""
    representative: str = ""
    submitter: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Paper:
    """A paper handed in: its ``name`` and how many ``originals`` (bản
    chính) and ``copies`` (bản sao) of it; ``None`` leaves a count blank
    (e.g. a file uploaded online). ``presented_only``: the original was
    only shown for comparison (xuất trình bản chính để đối chiếu), not
    handed in: no counts are printed."""

    name: str
    originals: int | None = None
    copies: int | None = None
    presented_only: bool = False


@dataclass(frozen=True)
class ReceiptSlip:
    """Form 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01, Circular
    01/2018/TT-VPCP).

    - ``issuer``, ``issued_at``: the letterhead and the instant of the date line;
    - ``code``: the dossier code, also the receipt's number;
    - ``desk``: the receiving desk as printed, "Bộ phận tiếp nhận và trả kết
      quả UBND phường Gia Sàng";
    - ``applicant``: an ``Applicant``; ``procedure``: the procedure's name;
    - ``papers``: a tuple of ``Paper``; ``dossier_count``: sets handed in (bộ);
    - ``processing_days``: the processing time by law in working days (int or
      Decimal; None leaves the line out);
    - ``received_at``: when an officer received the dossier; ``None`` for a
      dossier only submitted online, not yet received: the slip is then an
      acknowledgement of submission (``submitted_at`` printed, the
      ``appointment_at`` only expected, no ledger entry, no signatures);
    - ``submitted_at``, ``appointment_at``: instants (None: line left out);
    - ``result_channel``: one of ``RESULT_CHANNELS`` ("counter", "postal",
      "online"); another value is printed as given; ``postal_fee``: đồng, for
      "postal";
    - ``ledger_book``, ``ledger_number``: "Vào Sổ theo dõi hồ sơ, Quyển số:
      2018, Số thứ tự: 123" (None: line left out);
    - ``lookup_url``: encoded in the QR code ("" for no QR code);
    - ``secret``: the lookup secret, printed when given (shown once);
    - ``officer``: the receiving officer's name, under their signature.
    """

    issuer: Issuer
    issued_at: datetime
    code: str
    desk: str
    applicant: Applicant
    procedure: str
    papers: tuple[Paper, ...] = ()
    dossier_count: int = 1
    processing_days: int | Decimal | None = None
    received_at: datetime | None = None
    submitted_at: datetime | None = None
    appointment_at: datetime | None = None
    result_channel: str = "counter"
    postal_fee: int | None = None
    ledger_book: str | None = None
    ledger_number: int | None = None
    lookup_url: str = ""
    secret: str = ""
    officer: str = ""

    @property
    def acknowledgement(self):
        """True while the dossier is only submitted online, not received."""
        return self.received_at is None


@dataclass(frozen=True)
class Correction:
    """One thing to add or correct (Form 02): ``what`` and its ``reason``."""

    what: str
    reason: str = ""


@dataclass(frozen=True)
class SupplementSlip:
    """Form 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02, Circular
    01/2018/TT-VPCP).

    - ``issuer``, ``issued_at``, ``code``, ``desk``, ``applicant``,
      ``procedure``: as on ``ReceiptSlip``;
    - ``received_at``: when the dossier was received or, when ``received``
      is False (papers asked for before an officer received it), submitted
      (instant);
    - ``corrections``: a tuple of ``Correction``, in order;
    - ``guidance``: the officer's other guidance, a paragraph of its own
      ("" for none);
    - ``officer``, ``officer_phone``: who to ask, and the phone number to
      call (the agency's); "" leaves the number out.
    """

    issuer: Issuer
    issued_at: datetime
    code: str
    desk: str
    applicant: Applicant
    procedure: str
    received_at: datetime
    corrections: tuple[Correction, ...]
    officer: str = ""
    officer_phone: str = ""
    received: bool = True
    guidance: str = ""


@dataclass(frozen=True)
class RefusalSlip:
    """Form 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03, Circular
    01/2018/TT-VPCP): fields as on ``SupplementSlip``, with the ``reason``
    of the refusal; ``received_at`` may be None (refused at the desk)."""

    issuer: Issuer
    issued_at: datetime
    code: str
    desk: str
    applicant: Applicant
    procedure: str
    reason: str
    received_at: datetime | None = None
    officer: str = ""


@dataclass(frozen=True)
class Signer:
    """The leader who signs (Form 04): ``title`` as printed above the
    signature, "CHỦ TỊCH" or "KT. CHỦ TỊCH\\nPHÓ CHỦ TỊCH", and ``name``."""

    name: str
    title: str


@dataclass(frozen=True)
class ApologySlip:
    """Form 04, Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04, Circular
    01/2018/TT-VPCP), from ``issuer.agency`` to the applicant.

    - ``received_at``: when the dossier was received; ``due_at``: the
      appointment first given; ``new_due_at``: the new appointment (instants);
    - ``reason``: why the result is late; ``signer``: a ``Signer``.
    """

    issuer: Issuer
    issued_at: datetime
    code: str
    applicant: Applicant
    procedure: str
    received_at: datetime
    due_at: datetime
    new_due_at: datetime
    reason: str
    signer: Signer


@dataclass(frozen=True)
class HandOver:
    """One line of Form 05: the dossier handed from a unit and person to
    another, at an instant, with the mark of the step it closes.

    - ``from_unit``, ``from_person``: who handed it over (agency or department, officer);
      at reception the applicant (or who handed it in for them) with no unit ("");
    - ``to_unit``, ``to_person``: who took it; when the result is returned, the
      applicant (or who took it for them) with no unit;
    - ``at``: the instant of the hand-over (aware);
    - ``outcome``: one of ``OUTCOMES`` ("early", "on_time", "late") or "" (no mark yet);
    - ``note``: free text for the Ghi chú column.
    """

    from_unit: str
    from_person: str
    to_unit: str
    to_person: str
    at: datetime
    outcome: str = ""
    note: str = ""


@dataclass(frozen=True)
class ProcessControlSlip:
    """Form 05, Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 05, Circular
    01/2018/TT-VPCP).

    - ``received_at``, ``appointment_at``: instants, as on the receipt;
    - ``handling_agency``: the agency handling the dossier (cơ quan chủ trì);
    - ``cooperating_agencies``: a tuple of names (cơ quan phối hợp);
    - ``hand_overs``: a tuple of ``HandOver``, in order.
    """

    issuer: Issuer
    issued_at: datetime
    code: str
    applicant: Applicant
    procedure: str
    received_at: datetime
    appointment_at: datetime
    hand_overs: tuple[HandOver, ...]
    handling_agency: str = ""
    cooperating_agencies: tuple[str, ...] = ()


@dataclass(frozen=True)
class LedgerRow:
    """One dossier in Form 06, Sổ theo dõi hồ sơ (Mẫu 06, Circular
    01/2018/TT-VPCP).

    - ``code``, ``procedure``, ``dossier_count`` (sets), ``applicant`` (name),
      ``address``, ``phone``, ``handling_agency``;
    - ``received_at``, ``due_at``, ``sent_at`` (to the handling agency),
      ``back_at`` (result back from it), ``returned_at`` (to the applicant):
      instants or None;
    - ``outcome``: one of ``OUTCOMES`` or ""; ``note``: free text.
    """

    code: str
    procedure: str
    applicant: str
    received_at: datetime
    due_at: datetime | None = None
    dossier_count: int = 1
    address: str = ""
    phone: str = ""
    handling_agency: str = ""
    sent_at: datetime | None = None
    back_at: datetime | None = None
    returned_at: datetime | None = None
    outcome: str = ""
    note: str = ""


@dataclass(frozen=True)
class LedgerMeta:
    """The ledger's heading: the ``agency`` whose ledger it is, the dates
    ``start`` to ``end`` (local dates, both included) it covers, and when it
    was ``generated_at`` (instant)."""

    agency: str
    start: date
    end: date
    generated_at: datetime
    parent_agency: str = ""


@dataclass(frozen=True)
class EReceiptLine:
    """One fee or charge on an e-receipt: its ``name`` ("Lệ phí đăng ký khai
    sinh"), the ``count`` paid for, the ``unit_amount`` and the line's
    ``amount`` (đồng; what was charged, normally count × unit_amount)."""

    name: str
    count: int
    unit_amount: int
    amount: int


@dataclass(frozen=True)
class EReceipt:
    """An electronic receipt for fees and charges paid online (biên lai
    điện tử thu phí, lệ phí; Decree 123/2020/NĐ-CP on invoices and receipts,
    as amended by Decree 70/2025/NĐ-CP).

    - ``issuer``: the agency collecting the fee (an ``Issuer``);
      ``issuer_tax_code``: its tax code (mã số thuế), printed under its name
      when given;
    - ``form_number`` (mẫu số, "01BLP0-001"), ``symbol`` (ký hiệu,
      "BL26E-H56.01"), ``number`` (số, "0000012"): printed as given;
    - ``issued_at``: the instant the receipt was issued (aware);
    - ``payer_name``, ``payer_address``, ``payer_tax_code`` (an
      organisation's), ``payer_id_number`` (a person's CCCD): "" leaves a line out;
    - ``dossier_code``, ``procedure_name``: what the fee was paid for;
    - ``lines``: a tuple of ``EReceiptLine``; ``total``: đồng, the sum of
      the lines' amounts when there are lines (ValueError otherwise);
    - ``method``: the payment method, already in Vietnamese, "Thanh toán
      trực tuyến (VNPay)"; ``gateway``: "VNPay"; ``transaction_number``:
      the gateway's number of the transaction (vnp_TransactionNo);
      ``reference``: the portal's own reference of the payment (TxnRef);
    - ``lookup_url``: printed as a QR code and as text ("" for none).
    """

    issuer: Issuer
    form_number: str
    symbol: str
    number: str
    issued_at: datetime
    payer_name: str
    payer_address: str = ""
    payer_tax_code: str = ""
    payer_id_number: str = ""
    dossier_code: str = ""
    procedure_name: str = ""
    lines: tuple[EReceiptLine, ...] = ()
    total: int = 0
    method: str = ""
    gateway: str = ""
    transaction_number: str = ""
    reference: str = ""
    lookup_url: str = ""
    issuer_tax_code: str = ""

    def __post_init__(self):
        # a receipt whose lines do not add up to its total is wrong on paper
        if self.total < 0:
            raise ValueError(f"a receipt's total cannot be negative: {self.total}")
        if self.lines and sum(line.amount for line in self.lines) != self.total:
            raise ValueError(f"the receipt's lines add up to {sum(line.amount for line in self.lines)}, "
                             f"not its total {self.total}")
