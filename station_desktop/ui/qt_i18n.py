"""The interface language in Qt: our catalogues, Qt's own strings, live switching.

Switching installs fresh translators; Qt then sends a LanguageChange event to every widget,
and each window's `changeEvent` calls its `retranslate_ui` — one place, every window.
Chinese uses the Chinese catalogue Qt ships (qtbase_zh_CN); Qt has none for Tibetan, so
`GettextQtTranslator` answers Qt's strings from our own catalogue (see `qt_strings.py`).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTranslator,
    Signal,
)
from PySide6.QtWidgets import QApplication

from station_desktop.formats import LocaleFormats
from station_desktop.i18n import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    Catalogues,
    Translator,
    activate,
)
from station_desktop.ui.fonts import apply_interface_font

SETTINGS_KEY = "interface/language"
DIGITS_KEY = "interface/tibetan_digits"
QT_LOCALES = {"bo": "bo_CN", "zh_CN": "zh_CN", "en": "en_US", "pseudo": "en_US"}


class GettextQtTranslator(QTranslator):
    """Answers Qt's translation requests from a gettext catalogue."""

    def __init__(self, translator: Translator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._translator = translator

    def translate(  # None is how PySide returns a null QString
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        del disambiguation, n
        if self._translator.has(source_text, context):
            return self._translator.pgettext(context, source_text)
        # A null string lets Qt ask the next translator, then use the source text. An empty
        # string would count as a translation and blank the button.
        return None

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return False


def system_language(system_locale: str | None = None) -> str:
    """The first-start language: the system's if we have it, else Chinese."""
    name = system_locale or QLocale.system().name()
    if name.startswith("bo"):
        return "bo"
    if name.startswith("zh"):
        return "zh_CN"
    if name.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


class LanguageSwitcher(QObject):
    """Holds the interface language; `switch` changes it everywhere and remembers it."""

    changed = Signal(str)

    def __init__(self, catalogues: Catalogues, available: tuple[str, ...] = SUPPORTED_LANGUAGES):
        super().__init__()
        self._catalogues = catalogues
        self.available = available
        self.current = DEFAULT_LANGUAGE
        self._installed: list[QTranslator] = []
        self.formats = LocaleFormats(lambda: self.current, self.tibetan_digits)

    def tibetan_digits(self) -> bool:
        return bool(QSettings().value(DIGITS_KEY, False, type=bool))

    def set_tibetan_digits(self, enabled: bool) -> None:
        QSettings().setValue(DIGITS_KEY, enabled)
        self.switch(self.current)  # re-render every window

    def start(self) -> None:
        """Apply the remembered language, or on first start the system's (else Chinese)."""
        remembered = QSettings().value(SETTINGS_KEY)
        language = str(remembered) if remembered in self.available else system_language()
        if language not in self.available:
            language = DEFAULT_LANGUAGE
        self.switch(language)

    def shutdown(self) -> None:
        """Remove our translators before Python objects are torn down at exit (Qt would
        otherwise call into a destroyed Python translator and crash)."""
        app = QCoreApplication.instance()
        for installed in self._installed:
            if app is not None:
                app.removeTranslator(installed)
        self._installed = []

    def switch(self, language: str) -> None:
        app = QCoreApplication.instance()
        assert isinstance(app, QApplication), "a QApplication must exist"
        # The font first: the retranslation that follows measures texts in it.
        apply_interface_font(app, language)
        translator = self._catalogues.translator(language)
        activate(translator)
        self.current = language
        QLocale.setDefault(QLocale(QT_LOCALES.get(language, "en_US")))
        for old in self._installed:
            app.removeTranslator(old)
        self._installed = []
        if language == "zh_CN":
            qt_catalogue = QTranslator(self)
            path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt_catalogue.load(QLocale("zh_CN"), "qtbase", "_", path):
                self._installed.append(qt_catalogue)
        # Always installed (also for English): installing is what makes Qt send the
        # LanguageChange event that retranslates every window.
        self._installed.append(GettextQtTranslator(translator, self))
        for installed in self._installed:
            app.installTranslator(installed)
        QSettings().setValue(SETTINGS_KEY, language)
        self.changed.emit(language)
