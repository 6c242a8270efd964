"""Files by their content: what an upload is (checked with Pillow and pypdf), its pages rendered for
the browser (PDFium), and the notices made as PDF (ReportLab)."""
