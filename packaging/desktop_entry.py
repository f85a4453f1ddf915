"""Print the menu entry (freedesktop .desktop file) of the installed program, its name in
Tibetan and Chinese taken from the catalogues, as the window title shows it.

Usage: python packaging/desktop_entry.py > station-desktop.desktop   (run by ./run-build)
"""

from station_desktop.i18n import Catalogues

PRODUCT_NAME = "Station Desktop"
# The program's own catalogue locales and the desktop's names for them.
DESKTOP_LOCALES = {"bo": "bo", "zh_CN": "zh_CN"}


def desktop_entry() -> str:
    catalogues = Catalogues()
    names = [f"Name={PRODUCT_NAME}"]
    for language, desktop in DESKTOP_LOCALES.items():
        translator = catalogues.translator(language)
        if not translator.has(PRODUCT_NAME):
            raise SystemExit(f"the {language} catalogue has no translation of {PRODUCT_NAME!r}")
        names.append(f"Name[{desktop}]={translator.gettext(PRODUCT_NAME)}")
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            *names,
            "Exec=station-desktop",
            "Icon=station-desktop",
            "Terminal=false",
            "Categories=Office;",
            "StartupWMClass=Station Desktop",  # the class Qt gives the window (from the name)
            "",
        ]
    )


if __name__ == "__main__":
    print(desktop_entry(), end="")
