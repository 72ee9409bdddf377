"""Pages: batch verification for employers (CERT-05) — upload an .xlsx, download it with results."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .batch_verify import MAX_ROWS, batch_template_xlsx, batch_verify_xlsx

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BatchVerifyForm(forms.Form):
    """The upload: one .xlsx of at most 10 MB."""

    file = forms.FileField(
        label=gettext_lazy("Excel workbook (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": ".xlsx," + XLSX, "aria-describedby": "id_file-help"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Row 1 holds the column headers, in any order: either 姓名, 证件类型 and 证件号码 (name, ID type, "
            "ID number), or 证书编号 and 姓名 (certificate number, name). At most %(max)d data rows; "
            "other columns are returned unchanged."
        ) % {"max": MAX_ROWS}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook ending in .xlsx (older .xls files: save as .xlsx)."),
                                  code="extension")
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
        return upload


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    # RFC 6266/5987: a non-ASCII name travels as filename*=utf-8''…, which every current browser reads.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # the sheet holds the user's own personal data
    return response


@login_required
def batch_verify(request):
    """Any signed-in user: GET the upload form, POST a sheet and receive it back with result columns."""
    form = BatchVerifyForm(request.POST, request.FILES) if request.method == "POST" else BatchVerifyForm()
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            try:
                result = batch_verify_xlsx(upload=form.cleaned_data["file"], acting_user=request.user,
                                           ip=getattr(request, "client_ip", None))
            except ValidationError as exc:
                errors = exc.messages
            else:
                return _xlsx_response(result.content, result.filename)
        else:
            errors = [e for field_errors in form.errors.values() for e in field_errors]
    if errors:  # the summary is at the top; point the field at the note beside it
        form.fields["file"].widget.attrs.update({"aria-invalid": "true", "aria-describedby": "id_file-help id_file-error"})
    return render(request, "certificates/batch_verify.html", {"form": form, "errors": errors, "max_rows": MAX_ROWS},
                  status=400 if errors else 200)


@login_required
def batch_verify_template(request):
    """An empty sheet with the identity headers and a second sheet explaining both layouts."""
    return _xlsx_response(batch_template_xlsx(), "批量核验模板.xlsx")
