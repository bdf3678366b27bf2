"""The platform's shared vocabulary: the GPU taint, node labels, object labels, the names two parts must agree
on, and where each add-on is released. Defined once here; everything that writes or selects them reads them
from here."""
