"""A database outage on demand: a TCP relay between an app and PostgreSQL that a test cuts and
restores. Cut, the app's open connections are reset and new ones are closed at once, as when the
server restarts or the network drops; restored, it relays again. The real server and every other
test's connections are never touched."""
import socket
import threading

from sqlalchemy.engine import make_url


class DatabaseRelay:
    def __init__(self, database_url):
        self.target = make_url(database_url)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = self.target.set(host="127.0.0.1", port=self.port).render_as_string(hide_password=False)
        self.open = True
        self.sockets = set()
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, name="database-relay", daemon=True).start()

    def cut(self):
        with self.lock:
            self.open = False
            for sock in self.sockets:
                _close(sock)
            self.sockets.clear()

    def restore(self):
        with self.lock:
            self.open = True

    def close(self):
        self.cut()
        _close(self.listener)

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                if not self.open:
                    _close(client)
                    continue
                server = socket.create_connection((self.target.host or "127.0.0.1", self.target.port or 5432))
                self.sockets.update((client, server))
            for source, destination in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, destination), daemon=True).start()


def _pump(source, destination):
    try:
        while data := source.recv(65536):
            destination.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(destination)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
