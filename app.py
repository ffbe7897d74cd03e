"""Router only: page config, the sign-in gate, navigation built from the user's roles, then the chosen page.

`streamlit run app.py` uses this file twice. At start it finds the `st.App` below (Streamlit's ASGI mode) and imports
the file as a module, whose start-up hook warms the process before it serves anyone: every module the script runs
import, the engine, then the scorecards in the background (ui/warmup.py). Each script run then executes the file as
`__main__`: the router.
"""

import streamlit as st

if __name__ != "__main__":
    from ui import warmup

    app = st.App(__file__, lifespan=warmup.at_start)  # the server `streamlit run app.py` starts
else:
    from auth import gate
    from config.i18n import t
    from config.logs import setup_logging
    from ui import navigation
    from ui.db import database_guard
    from ui.language import language_switch
    from ui.page_language import page_language
    from ui.warmup import start as start_warm_up

    setup_logging()  # timestamped, levelled lines for sign-ins, exports, loads (config/logs.py); once per process
    st.set_page_config(page_title=t("app.title"), page_icon=":material/shield_person:", layout="wide")

    # A database that cannot be reached shows a translated message and a retry button, never a stack trace.
    with database_guard():
        scope = gate.require_user()
        page_language(language_switch(on_change=gate.remember_language))  # <html lang> follows the switch
        if scope is not None:
            gate.account_panel()

        # Signed out, the navigation holds only sign-in pages and is hidden (see navigation.signed_out_pages).
        try:
            st.navigation(navigation.build(scope), position="sidebar" if scope is not None else "hidden").run()
        finally:
            # Started when the server started (a look-up here); a process started without that hook (AppTest) starts
            # the warm-up now, once this run's page is on its way, so the sign-in form is not slowed by it.
            start_warm_up()
