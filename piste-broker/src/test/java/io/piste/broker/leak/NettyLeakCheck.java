package io.piste.broker.leak;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test, or its class, when Netty reports a leaked {@link ByteBuf} ("LEAK: ByteBuf.release() was not called
 * before it's garbage-collected"), as {@code CrashIT} fails on a "LEAK:" line in a child broker's output.
 *
 * <p>Registered for every test of piste-broker and piste-it by JUnit's extension auto-detection
 * ({@code META-INF/services/org.junit.jupiter.api.extension.Extension}; piste-broker's surefire and piste-it's
 * {@code junit-platform.properties} turn auto-detection on). Netty finds a leak only when the buffer has been
 * garbage-collected and a later allocation polls its reference queue; after each test (and each class, once its
 * broker is closed) this runs the collector and allocates a probe buffer so that a leak of that test is reported
 * to that test. Leak detection is set to paranoid (every buffer tracked) if the JVM was started with less.
 *
 * <p>The reports are taken from the ByteBuf leak detector Netty creates in {@link AbstractByteBuf}, through its
 * leak listener; that detector is not public, hence the reflection: it works whatever order classes are loaded in,
 * which a {@code ResourceLeakDetectorFactory} installed at start-up does not. Thread-safe: Netty reports on the
 * thread that allocates, often an event loop.
 */
public final class NettyLeakCheck implements AfterEachCallback, AfterAllCallback {

    private static final int GC_ROUNDS = 3;
    private static final long GC_PAUSE_MS = 20;
    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final ResourceLeakDetector<ByteBuf> DETECTOR = byteBufLeakDetector();

    static {
        if (ResourceLeakDetector.getLevel().ordinal() < ResourceLeakDetector.Level.PARANOID.ordinal()) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        DETECTOR.setLeakListener((resourceType, records) ->
                REPORTS.add("LEAK: " + resourceType + " was not released before it was garbage-collected" + records));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertNoLeaks(context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks(context.getDisplayName() + " (after its last test)");
    }

    /**
     * Collects garbage, has Netty look for leaked buffers, and throws if it found any since the last call.
     *
     * @throws AssertionError naming the leaks, the first with the places the buffer was last touched
     */
    public static void assertNoLeaks(String where) {
        List<String> leaks = collectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(
                    leaks.size() + " Netty leak report(s) in " + where + ":\n" + String.join("\n", leaks));
        }
    }

    /** The leaks Netty reported since the last call, after a few rounds of garbage collection. */
    public static List<String> collectLeaks() {
        for (int round = 0; round < GC_ROUNDS; round++) {
            System.gc();
            try {
                // The collector hands cleared references to the queue on its own thread.
                Thread.sleep(GC_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // Paranoid detection polls the queue of collected, unreleased buffers each time it tracks one (not every
            // allocator tracks its buffers: Unpooled's does not), so track and close a probe on the detector itself.
            DETECTOR.track(Unpooled.EMPTY_BUFFER).close(Unpooled.EMPTY_BUFFER);
        }
        List<String> leaks = new ArrayList<>();
        for (String leak = REPORTS.poll(); leak != null; leak = REPORTS.poll()) {
            leaks.add(leak);
        }
        return leaks;
    }

    @SuppressWarnings("unchecked")
    private static ResourceLeakDetector<ByteBuf> byteBufLeakDetector() {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<ByteBuf>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException(
                    "cannot reach Netty's ByteBuf leak detector (AbstractByteBuf.leakDetector)"
                            + "; has Netty changed?",
                    e);
        }
    }
}
