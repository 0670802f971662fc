# Sourced by the launch scripts: glibc malloc settings for a training process.
# glibc reads tunables at process start and ignores unknown ones; a tunable
# the user has set already is left as they set it.
# - hugetlb=1: large tensors on transparent huge pages. With THP in 'madvise'
#   mode (the common default) glibc asks for them only when told; a BERT-base
#   CPU step took 13-28% less time with it (README, Performance).
# - mmap_max=0 and a high trim_threshold: freed memory stays with the process
#   for the next step's tensors. By default glibc maps every block over
#   32 MiB (a BERT's 30522 x 768 word-embedding gradient, a ResNet's early
#   activations) afresh and unmaps it on free, so each step faults the same
#   memory in again, page by page; the BERT-base step took 2-16% less time
#   without that (README, Performance). Memory is reused, not grown: the
#   process keeps its peak.
if [[ "$(uname -s)" == Linux ]]; then
    for tunable in glibc.malloc.hugetlb=1 glibc.malloc.mmap_max=0 \
                   glibc.malloc.trim_threshold=68719476736; do
        if [[ "${GLIBC_TUNABLES:-}" != *"${tunable%%=*}="* ]]; then
            GLIBC_TUNABLES="${GLIBC_TUNABLES:+$GLIBC_TUNABLES:}$tunable"
        fi
    done
    export GLIBC_TUNABLES
fi
