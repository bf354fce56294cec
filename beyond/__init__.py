"""beyond/ — our additions to the paper: the ISR designs we did not choose (Fig. 3's last
panel) and the ISRs as instruments, a caregiver present in part of the episodes with online
internalization (Fig. 8), sensitivity to the ISR's threshold, data and training and to the
learner's features (Fig. 9), a returning caregiver's repair of a hacked ISR (Fig. 10), which
of our ISR choices removes the hacking (Fig. 11), which factor makes an ISR hackable: the
ISR, the learner's algorithm or its exploration (Fig. 12), a learner on the raw view
(`--learner mlp`) and the GIF of the learners (watch.py). A reader of the paper can ignore
this folder; nothing at the top level imports it."""
