"""Programme audio: broadcast-ready clips (`clips`), loudness and limiting (`loudness`), station sounds
(`jingles`), programme assembly (`programme`) and file export (`export`). See docs/audio.md.

Nothing is re-exported here, so importing one module does not pull in the others (scipy is slow to import).
"""
