"""GraphiQL as the app serves it at /graphql to a browser: its page, and the assets it loads
(React, GraphiQL, its explorer plugin) shipped in this package, so it works with no network."""
