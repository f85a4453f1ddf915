# bophono reads its syllable tables (bophono/data/*.csv) as files beside its modules.
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("bophono")
