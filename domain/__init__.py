"""The records Stepwise keeps, their rules and the commands that change them."""

# The catalogue imports every module here to find the declared record types. It is loaded
# with the package, before any one module, so the walk never meets a module half-imported
# (one importing the catalogue would otherwise see it half-built).
from domain import catalogue as catalogue
