"""HTTPS endpoints: one TLS context per process, still verifying, still honouring SSL_CERT_FILE.

A real TLS boundary: a self-signed certificate made by `openssl`, a TLS-terminating relay on
127.0.0.1 in front of the scripted server, and the structured client sending through it."""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest
from test_llm import ask

from summarizer import errors
from summarizer.cache import EndpointMemory
from summarizer.config import load_settings
from summarizer.llm import LLMClient
from summarizer.llm import transport
from summarizer.llm.transport import tls_context

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command to make a certificate")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


class TLSRelay:
    """Accepts TLS on an ephemeral port and relays the plain bytes to `target` (host, port)."""

    def __init__(self, target: tuple[str, int], cert: Path, key: Path) -> None:
        self.target = target
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            client = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()  # the client refused our certificate
            return
        upstream = socket.create_connection(self.target)
        threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()
        self._pipe(client, upstream)

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.close()
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def https_server(llm_server, certificate):
    relay = TLSRelay((llm_server.host, llm_server.port), *certificate)
    llm_server.base_url_https = f"https://127.0.0.1:{relay.port}/v1"
    try:
        yield llm_server
    finally:
        relay.close()


def https_client(server, tmp_path):
    settings = load_settings(env_file=None, base_url=server.base_url_https, model="test-model", cache_dir=tmp_path / "cache", max_retries=0)
    assert settings.effective_base_url.startswith("https://127.0.0.1:")
    return LLMClient(settings, cache=None, memory=EndpointMemory(tmp_path / "cache" / "endpoints.json"))


def test_an_https_endpoint_trusted_through_ssl_cert_file_answers_with_one_shared_context(https_server, certificate, tmp_path, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    transport._tls_context.cache_clear()  # noqa: SLF001 - count the builds from zero
    built = []
    create = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *a, **k: built.append(k.get("cafile")) or create(*a, **k))
    first, second = https_client(https_server, tmp_path / "a"), https_client(https_server, tmp_path / "b")
    assert len(ask(first).value.summary) == 3
    assert len(ask(second).value.summary) == 3  # a second client of the process: the same context
    assert built == [str(certificate[0])]  # built once, from the file SSL_CERT_FILE names
    assert len(https_server.chat_requests()) == 2


def test_the_shared_context_still_verifies_the_certificate(https_server, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with pytest.raises(errors.SummarizerError) as caught:
        ask(https_client(https_server, tmp_path))  # self-signed, not in the system's CA bundle
    assert https_server.chat_requests() == []
    assert "certificate" in str(caught.value).lower() or "connect" in str(caught.value).lower()


def test_a_changed_ssl_cert_file_gets_its_own_context(certificate, monkeypatch):
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    system = tls_context()
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    assert tls_context() is not system and tls_context() is tls_context()
