"""A reportlab canvas that writes each finished page to the output at once.

reportlab's PDFDocument keeps every page, content stream and image until
save() and then builds the whole file in memory; for a batch of 1,000
certificates with photos that is the size of the PDF, twice. Here a page,
its content stream and the images first drawn on it are written as soon as
the page is shown and only a stub stays behind; the shared objects (fonts,
whose subsets grow until the end, the page tree, catalog, info) are written
by close(), followed by the cross-reference table.
"""

from __future__ import annotations

from typing import BinaryIO

from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

# Objects that are final once their page has been shown.
_PAGE_LOCAL = (pdfdoc.PDFPage, pdfdoc.PDFStream, pdfdoc.PDFImageXObject)


class _Written:
    """Stands in for an object already in the file; keeps an image's size so drawing it again works."""

    __slots__ = ("width", "height")

    def __init__(self, obj):
        self.width = getattr(obj, "width", 0)
        self.height = getattr(obj, "height", 0)


class StreamingDocument(pdfdoc.PDFDocument):
    """PDFDocument that writes page-local objects as pages end (see the module docstring)."""

    def __init__(self, out: BinaryIO, **kwargs):
        super().__init__(**kwargs)
        self._out = out
        self._offset = 0
        self._next_number = 1  # first object number not yet looked at by flush_pages
        self._pages_done = 0
        self._started = False

    def _write(self, data: bytes) -> int:
        if not self._started:
            self._started = True
            major, minor = self._pdfVersion
            self._write(f"%PDF-{major}.{minor}\n".encode() + b"%\223\214\213\236\n")  # binary marker line
        offset = self._offset
        self._out.write(data)
        self._offset += len(data)
        return offset

    def _emit(self, oid: str) -> None:
        obj = self.idToObject[oid]
        data = pdfdoc.PDFIndirectObject(oid, obj).format(self)
        self.idToOffset[oid] = self._write(data)
        self.idToObject[oid] = _Written(obj)

    def addPage(self, page):  # noqa: N802 (reportlab's name)
        # Flate only: rl_config.useA85 would wrap every page stream in ASCII85 too (+25 %).
        page.Contents = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])
        page.stream = None
        super().addPage(page)

    def flush_pages(self) -> None:
        """Write the pages shown so far with their content streams and new images."""
        pages = self.Pages.pages
        while self._pages_done < len(pages):
            page = pages[self._pages_done]
            name = page.__InternalName__
            self._emit(name)  # formatting registers its content stream, written below
            pages[self._pages_done] = pdfdoc.PDFObjectReference(name)
            self._pages_done += 1
        n = self._next_number
        while n in self.numberToId:
            oid = self.numberToId[n]
            if oid not in self.idToOffset and isinstance(self.idToObject[oid], _PAGE_LOCAL):
                self._emit(oid)
            n += 1
        self._next_number = n

    def close(self, canvas: Canvas) -> None:
        """Write the remaining objects, the cross-reference table and the trailer."""
        for font in self.delayedFonts:  # as in PDFDocument.GetPDFData
            font.addObjects(self)
        self.info.invariant = self.invariant
        self.info.digest(self.signature)
        catalog = self.Reference(self.Catalog)
        info = self.Reference(self.info)
        self.Outlines.prepare(self, canvas)
        if self.Outlines.ready < 0:
            self.Catalog.Outlines = None
        n = 1
        while n in self.numberToId:  # objects may be registered while formatting: no range()
            oid = self.numberToId[n]
            if oid not in self.idToOffset:
                self._emit(oid)
            n += 1
        count = len(self.numberToId)
        xref = pdfdoc.PDFCrossReferenceTable()
        xref.addsection(0, [self.numberToId[i] for i in range(1, count + 1)])
        start = self._write(pdfdoc.pdfdocEnc(xref.format(self)))
        trailer = pdfdoc.PDFTrailer(startxref=start, Size=count + 1, Root=catalog, Info=info,
                                    Encrypt=None, ID=self.ID())
        self._write(pdfdoc.pdfdocEnc(trailer.format(self)))


class StreamingCanvas(Canvas):
    """Canvas over a StreamingDocument: showPage() writes the page, save() finishes the file.

    Always invariant (same input, same bytes) and compressed. Encryption is not supported.
    """

    def __init__(self, out: BinaryIO, *, pagesize, font_name: str, title: str = ""):
        # An embedded (TrueType) initial font: else the page preamble selects Helvetica,
        # a non-embedded font that no text uses.
        super().__init__(out, pagesize=pagesize, invariant=1, pageCompression=1, initialFontName=font_name)
        self._doc = StreamingDocument(out, compression=1, invariant=1, pdfVersion=(1, 4))  # 1.4: transparency
        self._make_preamble()  # against the new document
        if title:
            self.setTitle(title)
        self.setAuthor("")
        self.setCreator("filing_portal")

    def showPage(self):  # noqa: N802 (reportlab's name)
        super().showPage()
        self._doc.flush_pages()

    def save(self):
        if len(self._code):
            self.showPage()
        self._doc.close(self)

    def getpdfdata(self):  # noqa: N802
        raise NotImplementedError("StreamingCanvas writes to its stream; use save()")
