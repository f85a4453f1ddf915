"""Translation catalogues (data, installed as `station_desktop.catalogues`)."""
