package io.durablestreams.subscriptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import io.durablestreams.store.DurableStream;
import io.durablestreams.store.StreamStore;
import io.durablestreams.subscriptions.Subscription.StreamLink;

/**
 * Creates the stream links of subscriptions and reads their streams' tails from the store.
 *
 * <p>Thread-safety: the methods that take a {@link Subscription} or a link change it, so callers
 * hold the subscription's lock.
 */
final class StreamLinks {

    private final StreamStore store;

    StreamLinks(StreamStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /**
     * A link with its stream's current tail.
     *
     * @param link the link
     * @param tail the stream's tail, or the acked position when the stream does not exist
     */
    record LinkState(StreamLink link, long tail) {

        /**
         * Tells whether the stream has data past the cursor.
         *
         * @return true when the tail is past the acked position
         */
        boolean pending() {
            return tail > link.ackedPosition;
        }
    }

    /**
     * Reads a link's stream. When the stream was replaced by a new one at the same path, as after
     * an expiry that the store does not report, the cursor moves to the new stream's start.
     */
    LinkState inspect(StreamLink link) {
        Optional<DurableStream> found = store.find(link.path);
        if (found.isEmpty()) {
            return new LinkState(link, link.ackedPosition);
        }
        DurableStream stream = found.get();
        if (!stream.id().equals(link.streamId)) {
            link.streamId = stream.id();
            link.ackedPosition = startOf(stream);
        }
        return new LinkState(link, stream.tail());
    }

    /** Reads every link of a subscription, in path order. */
    List<LinkState> inspectAll(Subscription s) {
        List<LinkState> states = new ArrayList<>(s.links.size());
        for (StreamLink link : s.links.values()) {
            states.add(inspect(link));
        }
        return states;
    }

    /** Returns where a stream's own data starts: 0, or the fork offset of a fork. */
    static long startOf(DurableStream stream) {
        return stream.meta().forkPosition();
    }

    /** Links streams explicitly; new links start at the stream's tail, or at 0 when absent. */
    void linkExplicit(Subscription s, List<String> paths) {
        for (String path : paths) {
            StreamLink link = s.links.get(path);
            if (link == null) {
                link = new StreamLink(path);
                linkAtTail(link);
                s.links.put(path, link);
            }
            link.explicit = true;
        }
    }

    /** Links every existing stream that the pattern matches, at its tail: no history replays. */
    void backfill(Subscription s) {
        if (s.config.pattern().isEmpty()) {
            return;
        }
        for (String path : store.paths()) {
            if (!s.patternMatches(path)) {
                continue;
            }
            StreamLink link = s.links.get(path);
            if (link == null) {
                link = new StreamLink(path);
                linkAtTail(link);
                s.links.put(path, link);
            }
            link.glob = true;
        }
    }

    private void linkAtTail(StreamLink link) {
        Optional<DurableStream> stream = store.find(link.path);
        link.streamId = stream.map(DurableStream::id).orElse(null);
        link.ackedPosition = stream.map(DurableStream::tail).orElse(0L);
    }
}
