"""Generated list screens sort only by the columns they offer to sort by. FAB checks the filters
of a list against its search columns but orders by any column named in `_oc_<View>`: a seller
could sort the products by their hidden cost price and read it off the order. Such a request
is refused (400)."""
from flask import abort, current_app, request

ORDER_ARG = "_oc_"


def _views_by_name():
    appbuilder = current_app.appbuilder
    views = getattr(appbuilder, "_boutique_views_by_name", None)
    if views is None:
        views = {type(view).__name__: view for view in appbuilder.baseviews}
        appbuilder._boutique_views_by_name = views
    return views


def register(app):
    @app.before_request
    def _refuse_sorting_by_a_column_not_offered():
        for arg in request.args:
            if not arg.startswith(ORDER_ARG):
                continue
            view = _views_by_name().get(arg[len(ORDER_ARG):])
            if view is None or request.args.get(arg) not in (getattr(view, "order_columns", None) or ()):
                abort(400)
