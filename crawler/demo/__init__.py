"""The bundled demo site (two days of a Kurdistan24-style site) and its loopback server."""
