"""Evidence packs: what an inspector would rather look at than query. A person's story over a
window, as one self-contained HTML file (charts as inline SVG) or a PDF of the same page."""
