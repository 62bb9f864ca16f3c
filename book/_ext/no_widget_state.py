"""Keep ipywidgets state out of the HTML pages.

nbclient saves the state of every widget a notebook displayed, and myst-nb copies it into the
page as an `application/vnd.jupyter.widget-state+json` script: about 50 KB per interactive
figure that nothing reads, since the static pages show each figure's frames with
lib-sliders.js and load no widget manager. The downloadable .ipynb keeps the state.
"""

STATE_KEY = "ipywidgets_state"


def drop_widget_state(app, env):
    for page in getattr(env, "nb_metadata", {}).values():
        page.get("js_files", {}).pop(STATE_KEY, None)


def setup(app):
    app.connect("env-updated", drop_widget_state)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
