"""PDF text engine: bilingual Tibetan–Chinese text for printed forms (ReportLab + HarfBuzz).

Import the submodules: `textruns` (pure line-breaking rules), `fonts` (the bundled fonts as
ReportLab fonts), `paragraphs` (the `TextBlock` flowable). Nothing here imports Qt, and nothing
is loaded until first use.
"""
