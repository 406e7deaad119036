"""The training coach: small, pure detectors that read a run's curves, its inside (studio.core.inspect_store),
its spec and a summary of its data, and say in a deep-learning course's words what is going wrong and which spec
changes would help. Qt-free and keras-free, so the app, `keras-studio coach` and the tests share it.

    diagnosis.py     Diagnosis, Fix, Change: one finding and the spec changes on offer (JSON-able)
    fixes.py         apply a Fix to a spec dict and validate the result with RunSpec
    data_summary.py  DataSummary: sample counts, class counts, feature scales as the model sees them
    history.py       RunHistory: what the detectors read, from a run directory or fed event by event
    baselines.py     what a model that learned nothing scores (majority class, the mean)
    remedies.py      the fixes the detectors share (divide the learning rate, add Dropout …)
    detect_*.py      the detectors, one family per file: data, curves, inside
    detectors.py     the list of detectors, and which of them run before training
    coach.py         Coach: runs the detectors after each epoch, reports each finding once (updated as it
                     firms up) and keeps coach.jsonl in the run directory
"""
