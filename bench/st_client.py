"""A Streamlit client that speaks the websocket protocol, for load tests and multi-process checks.

A browser costs a core per few sessions (BENCHMARKS.md, Concurrency), so it cannot measure the server's capacity on
the same machine. This client does what the browser does on the wire and nothing else: it opens `/_stcore/stream`,
sends `BackMsg.rerun_script` with the page and widget states, and reads the `ForwardMsg`s of the installed
`streamlit.proto` until the run has finished. It keeps the elements of the last run (text, widgets, alerts,
exceptions) so a test can read a page, fill a form and press a button, and it keeps the sign-in cookie the app's
cookie component asks the browser to set, sending it on every later connection as a browser does.

One asyncio task per session: a few hundred microseconds of CPU per page run, so fifty sessions cost the client
almost nothing beside the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import ssl
import time
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

# The statuses that end a run for good (a run that ends early for a rerun is followed by the rerun).
DONE = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR,
}
XSRF_COOKIE = "_streamlit_xsrf"  # Streamlit's XSRF cookie, echoed in an upload's X-Xsrftoken header
# Text-bearing elements and the attribute that holds their text.
TEXT_FIELDS = {
    "markdown": "body",
    "heading": "body",
    "alert": "body",
    "text": "body",
    "exception": "message",
    "toast": "body",
}


class ServerError(RuntimeError):
    """A run the server did not finish: a closed connection, a timeout or a compile error."""


@dataclass
class Element:
    """One element of the last run: its type, its protobuf and, for widgets, id and label."""

    path: tuple[int, ...]
    kind: str
    proto: object

    @property
    def text(self) -> str:
        name = TEXT_FIELDS.get(self.kind)
        return getattr(self.proto, name, "") if name else ""

    @property
    def label(self) -> str:
        return getattr(self.proto, "label", "")

    @property
    def widget_id(self) -> str:
        return getattr(self.proto, "id", "")

    def frame(self):
        """A dataframe or table element's rows as a pandas DataFrame, read from the Arrow bytes the browser's grid
        reads (a lazily served frame: its first page only)."""
        from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

        data = self.proto.arrow_data.data
        if not data and self.kind == "dataframe" and self.proto.HasField("lazy_data"):
            data = self.proto.lazy_data.initial_chunk.data
        return convert_arrow_bytes_to_pandas_df(data)


@dataclass
class Run:
    """What one rerun produced: seconds from request to finish, its elements in page order, the page it ran."""

    seconds: float
    elements: list[Element]
    page_hash: str
    status: int

    def texts(self) -> list[str]:
        return [e.text for e in self.elements if e.text]

    def text(self) -> str:
        return "\n".join(self.texts())

    def of_kind(self, kind: str) -> list[Element]:
        return [e for e in self.elements if e.kind == kind]

    @property
    def exceptions(self) -> list[str]:
        return [f"{e.proto.type}: {e.proto.message}" for e in self.of_kind("exception")]

    @property
    def errors(self) -> list[str]:
        """Error alerts (st.error) and exceptions: what a load test counts as a failed page."""
        alerts = [e.proto.body for e in self.of_kind("alert") if e.proto.format == e.proto.ERROR]
        return self.exceptions + alerts

    def widget(self, label: str, kind: str | None = None) -> Element:
        """The widget with this label (and kind), e.g. run.widget("Username", "text_input")."""
        found = [e for e in self.elements if e.widget_id and e.label == label and (kind is None or e.kind == kind)]
        if not found:
            labels = sorted({e.label for e in self.elements if e.widget_id})
            raise LookupError(f"no widget labelled {label!r} ({kind or 'any kind'}); widgets: {labels}")
        return found[0]

    def keyed(self, key: str) -> Element:
        """The widget the app created with this key (Streamlit ends a keyed widget's id with it), for labels that
        repeat on a page: run.keyed("vsd_targets_save")."""
        found = [e for e in self.elements if e.widget_id.endswith(f"-{key}")]
        if not found:
            keys = sorted(e.widget_id.split("-", 2)[-1] for e in self.elements if e.widget_id)
            raise LookupError(f"no widget with key {key!r}; keys: {keys}")
        return found[0]


@dataclass
class Session:
    """One browser-like session against one server: `async with Session(url) as s: await s.open("scorecard")`."""

    base_url: str  # http://127.0.0.1:8501
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 300.0
    verify_tls: bool = True  # False for a proxy on loopback with a self-signed certificate (benchmarks, tests)
    page_hashes: dict[str, str] = field(default_factory=dict)  # url path -> page script hash (from navigation)
    widget_values: dict[str, WidgetState] = field(default_factory=dict)
    last: Run | None = None
    _socket: object = None
    _page_hash: str = ""
    _path: str = ""
    _query: str = ""

    async def __aenter__(self) -> Session:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self) -> None:
        """Open the websocket (with the cookies a browser would send) and forget the old connection's widgets."""
        await self.close()
        url = self.base_url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self._socket = await websockets.connect(
            url,
            subprotocols=["streamlit"],
            additional_headers=headers,
            max_size=None,
            open_timeout=self.timeout,
            ssl=self._tls() if url.startswith("wss") else None,
        )
        self.widget_values = {}
        self._page_hash = ""

    def _tls(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def fetch_index(self) -> int:
        """GET the app's page as a browser does before it opens the websocket, keeping the cookies it sets (a proxy's
        sticky-session cookie); returns the HTTP status."""

        def fetch() -> tuple[int, list[str]]:
            handler = urllib.request.HTTPSHandler(context=self._tls())
            with urllib.request.build_opener(handler).open(self.base_url.rstrip("/") + "/", timeout=self.timeout) as r:
                r.read()
                return r.status, r.headers.get_all("Set-Cookie") or []

        status, set_cookies = await asyncio.to_thread(fetch)
        for header in set_cookies:
            name, _, value = header.split(";", 1)[0].partition("=")
            if name.strip():
                self.cookies[name.strip()] = value.strip()
        return status

    async def close(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
            self._socket = None

    async def open(self, path: str = "", query: dict[str, str] | None = None) -> Run:
        """Go to a page by its URL path ("" for the default page), as a click in the sidebar or a link does."""
        self._path = path
        self._query = urlencode(query or {})
        self._page_hash = self.page_hashes.get(path, "")
        self.widget_values = {}
        return await self.rerun()

    async def rerun(self, *changes: WidgetState) -> Run:
        """Run the current page again with these widget changes (a typed value, a click) and wait for the finish."""
        state = BackMsg()
        rerun = state.rerun_script
        rerun.query_string = self._query
        rerun.page_script_hash = self._page_hash
        rerun.page_name = self._path
        triggers = []
        for change in changes:
            if change.WhichOneof("value") in {"trigger_value", "string_trigger_value"}:
                triggers.append(change)  # a click is sent once, never remembered
            else:
                self.widget_values[change.id] = change
        rerun.widget_states.widgets.extend([*self.widget_values.values(), *triggers])
        rerun.context_info.timezone = "Europe/London"
        rerun.context_info.locale = "en-GB"
        began = time.perf_counter()
        await self._socket.send(state.SerializeToString())
        self.last = await self._read_run(began)
        return self.last

    async def _read_run(self, began: float) -> Run:
        elements: dict[tuple[int, ...], Element] = {}
        finished = None
        page_hash = self._page_hash
        deadline = began + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ServerError(f"no finished run within {self.timeout:.0f} s ({self.base_url}/{self._path})")
            try:
                raw = await asyncio.wait_for(self._socket.recv(), remaining)
            except (TimeoutError, websockets.ConnectionClosed) as exc:
                raise ServerError(f"run not finished ({self.base_url}/{self._path}): {exc!r}") from exc
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                elements = {}  # a new run (also after st.rerun()): its elements replace the last run's
                page_hash = msg.new_session.page_script_hash or page_hash
            elif kind == "navigation":
                self._learn_pages(msg.navigation.app_pages)
                page_hash = msg.navigation.page_script_hash or page_hash
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                element = msg.delta.new_element
                element_kind = element.WhichOneof("type")
                path = tuple(msg.metadata.delta_path)
                elements[path] = Element(path, element_kind, getattr(element, element_kind))
                if element_kind == "component_instance":
                    self._take_cookie(element.component_instance)
            elif kind == "page_not_found":
                raise ServerError(f"page not found: {self._path!r}")
            elif kind == "script_finished":
                finished = msg.script_finished
                if finished == ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR:
                    raise ServerError("the app did not compile")
            elif kind == "session_status_changed" and not msg.session_status_changed.script_is_running:
                if finished in DONE:  # the runner is idle after a complete run: the app's own "run finished"
                    break
        self._page_hash = page_hash
        ordered = [elements[p] for p in sorted(elements)]
        return Run(time.perf_counter() - began, ordered, page_hash, finished)

    def _learn_pages(self, pages: Iterable) -> None:
        for page in pages:
            self.page_hashes[page.url_pathname] = page.page_script_hash

    def _take_cookie(self, component) -> None:
        """The cookie component's "set"/"delete" calls are what a browser would store (extra_streamlit_components)."""
        if component.component_name.split(".")[-1] != "cookie_manager" or not component.json_args:
            return
        args = json.loads(component.json_args)
        if args.get("method") == "set" and args.get("cookie"):
            self.cookies[args["cookie"]] = str(args.get("value", ""))
        elif args.get("method") == "delete" and args.get("cookie"):
            self.cookies.pop(args["cookie"], None)

    # Widget helpers: what a person does with the page.

    @staticmethod
    def typed(element: Element, value: str) -> WidgetState:
        return WidgetState(id=element.widget_id, string_value=value)

    @staticmethod
    def clicked(element: Element) -> WidgetState:
        return WidgetState(id=element.widget_id, trigger_value=True)

    @staticmethod
    def chosen(element: Element, option: str) -> WidgetState:
        """A selectbox or radio set to the option shown as `option` (its label on the page, as Streamlit sends it)."""
        if option not in element.proto.options:
            raise LookupError(f"{element.label!r} has no option {option!r}; options: {list(element.proto.options)}")
        return WidgetState(id=element.widget_id, string_value=option)

    @staticmethod
    def numbered(element: Element, value: float) -> WidgetState:
        """A number_input set to `value` (Streamlit sends integers as doubles too)."""
        return WidgetState(id=element.widget_id, double_value=float(value))

    @staticmethod
    def dated(element: Element, *days: dt.date) -> WidgetState:
        """A date_input set to a day (or to a range of two); no day clears it."""
        state = WidgetState(id=element.widget_id)
        state.string_array_value.data.extend(day.isoformat() for day in days)
        return state

    @staticmethod
    def checked(element: Element, value: bool = True) -> WidgetState:
        """A checkbox or toggle ticked (or not)."""
        return WidgetState(id=element.widget_id, bool_value=value)

    async def upload(self, element: Element, files: Iterable[tuple[str, bytes, str]]) -> WidgetState:
        """Upload (name, content, MIME type) files for a file_uploader as the browser does, and return the widget's
        new state (send it with the next rerun, or with the form's submit): ask the session for upload URLs
        (BackMsg.file_urls_request), PUT each file there as multipart form data with the XSRF cookie and header, then
        name the uploaded files in the widget's state."""
        files = list(files)
        request_id = uuid.uuid4().hex
        ask = BackMsg()
        ask.file_urls_request.request_id = request_id
        ask.file_urls_request.file_names.extend(name for name, _content, _mime in files)
        await self._socket.send(ask.SerializeToString())
        deadline = time.perf_counter() + self.timeout
        while True:  # what else arrives between runs (a status change) is of no interest here
            try:
                raw = await asyncio.wait_for(self._socket.recv(), max(0.0, deadline - time.perf_counter()))
            except (TimeoutError, websockets.ConnectionClosed) as exc:
                raise ServerError(f"no upload URLs ({self.base_url}): {exc!r}") from exc
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            if msg.WhichOneof("type") == "file_urls_response" and msg.file_urls_response.response_id == request_id:
                urls = list(msg.file_urls_response.file_urls)
                break
        if XSRF_COOKIE not in self.cookies:
            await asyncio.to_thread(self._fetch_xsrf_cookie)
        state = FileUploaderState()
        for (name, content, mime), url in zip(files, urls, strict=True):
            await asyncio.to_thread(self._put_file, url, name, content, mime)
            info = UploadedFileInfo(name=name, size=len(content), file_id=url.file_id)
            info.file_urls.CopyFrom(FileURLs(file_id=url.file_id, upload_url=url.upload_url, delete_url=url.delete_url))
            state.uploaded_file_info.append(info)
        widget = WidgetState(id=element.widget_id)
        widget.file_uploader_state_value.CopyFrom(state)
        return widget

    def _fetch_xsrf_cookie(self) -> None:
        """The XSRF cookie an upload must echo in its header: the browser gets it from the health check it makes
        before opening the websocket (Streamlit sets it there, not on the page)."""
        handler = urllib.request.HTTPSHandler(context=self._tls())
        url = self.base_url.rstrip("/") + "/_stcore/health"
        with urllib.request.build_opener(handler).open(url, timeout=self.timeout) as response:
            response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                if name.strip() == XSRF_COOKIE:
                    self.cookies[XSRF_COOKIE] = value.strip()

    def _put_file(self, url: FileURLs, name: str, content: bytes, mime: str) -> None:
        boundary = uuid.uuid4().hex
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'.encode(),
                f"Content-Type: {mime}\r\n\r\n".encode(),
                content,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        target = url.upload_url if "://" in url.upload_url else self.base_url.rstrip("/") + url.upload_url
        request = urllib.request.Request(target, data=body, method="PUT")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        request.add_header("X-Xsrftoken", self.cookies.get(XSRF_COOKIE, ""))
        handler = urllib.request.HTTPSHandler(context=self._tls())
        with urllib.request.build_opener(handler).open(request, timeout=self.timeout) as response:
            if response.status >= 300:
                raise ServerError(f"upload of {name} refused: HTTP {response.status}")

    async def sign_in(self, username: str, password: str, labels: tuple[str, str, str]) -> Run:
        """Fill the sign-in form (labels: username, password, submit button) and submit it."""
        page = self.last or await self.open()
        user_label, password_label, submit_label = labels
        return await self.rerun(
            self.typed(page.widget(user_label, "text_input"), username),
            self.typed(page.widget(password_label, "text_input"), password),
            self.clicked(page.widget(submit_label, "button")),
        )

    async def click(self, label: str) -> Run:
        """Press the button with this label on the current page."""
        return await self.rerun(self.clicked(self.last.widget(label, "button")))
