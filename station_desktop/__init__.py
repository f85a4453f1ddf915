"""station_desktop: offline bilingual desktop application for Lhasa's social-work stations."""

__version__ = "0.1.0"
