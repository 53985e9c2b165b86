"""The Cypher library, installed as the package ``graphmodel.cypher`` (see ``setup.cfg``).

No Python lives here: ``schema.cypher``, ``load/*.cypher`` and ``queries/*.cypher`` are
package data, found through :mod:`graphmodel.resources`.
"""
