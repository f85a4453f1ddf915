# reportlab.graphics.barcode imports its symbologies from strings (exec), which analysis
# cannot see; the program's QR codes and the widgets module need them.
from PyInstaller.utils.hooks import collect_submodules

hiddenimports = collect_submodules("reportlab.graphics.barcode")
