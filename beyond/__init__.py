"""beyond/ — our additions to the paper: the ISR designs we did not choose (Fig. 3's last
panel), a caregiver present in part of the episodes with online internalization (Fig. 8),
sensitivity to the ISR's threshold, data and training and to the learner's features
(Fig. 9), and a learner on the raw view (`--learner mlp`). A reader of the paper can ignore
this folder; nothing at the top level imports it but the command line (figures.py)."""
