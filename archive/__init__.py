"""The versioned SQLite archive and the text layers it is built on; imports no Scrapy."""
