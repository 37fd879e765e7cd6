package dev.mailwright.admin.command;

import dev.mailwright.admin.mail.SourceMessage;
import dev.mailwright.store.MessageInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What an import does with each source message, given what the mailbox holds: a message is
 * recognised by its UIDL, or else by its content, so that a re-run with another
 * {@code --uidl-format} (or after the old server's UIDLs changed) re-maps instead of duplicating.
 *
 * <ol>
 * <li><b>already there</b>: the mailbox has a message with its UIDL and the same content (SHA-256
 *     of the stored bytes), or one whose digest is not recorded;</li>
 * <li><b>re-mapped</b>: a message of the mailbox not claimed by step 1 has the same content: it
 *     gets the source's UIDL (two messages may exchange their UIDLs);</li>
 * <li><b>already there</b> too: the mailbox has a message with its UIDL that step 2 did not
 *     re-map, though its content differs (the old server changed a header, an export added
 *     X-UIDL): a POP3 client has it under that UIDL, so what is stored stays;</li>
 * <li><b>new</b>: everything else is stored.</li>
 * </ol>
 */
final class ImportPlan {

    /** Source messages to store, with their UIDLs, in source order. */
    record New(SourceMessage message, String uidl) {
    }

    private final List<New> added = new ArrayList<>();
    private final Map<Long, String> remap = new LinkedHashMap<>();
    private int alreadyThere;

    List<New> added() {
        return added;
    }

    /** Messages of the mailbox to give new UIDLs: uid -> UIDL. */
    Map<Long, String> remap() {
        return remap;
    }

    int alreadyThere() {
        return alreadyThere;
    }

    /**
     * Plans the import of {@code messages} (their UIDLs in {@code uidls}) into a mailbox holding
     * {@code stored}, whose recorded content digests are {@code digests}; {@code digestOf} reads
     * a stored message's digest where none is recorded (messages stored before digests were, or
     * delivered), asked only for messages of the mailbox that no source message claims by UIDL.
     */
    static ImportPlan of(List<SourceMessage> messages, List<String> uidls, List<MessageInfo> stored,
                         Map<Long, String> digests, Function<Long, String> digestOf) {
        Map<String, MessageInfo> byUidl = new HashMap<>();
        stored.forEach(m -> byUidl.put(m.uidl(), m));
        Set<Long> claimed = new HashSet<>();
        ImportPlan plan = new ImportPlan();
        List<Integer> rest = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            MessageInfo same = byUidl.get(uidls.get(i));
            String digest = same == null ? null : digests.get(same.uid());
            if (same != null && (digest == null || digest.equals(messages.get(i).digest()))) {
                claimed.add(same.uid());
                plan.alreadyThere++;
            } else {
                rest.add(i);
            }
        }
        Map<String, Deque<Long>> byDigest = new HashMap<>();
        if (!rest.isEmpty()) {
            for (MessageInfo m : stored) {
                if (!claimed.contains(m.uid())) {
                    String d = Optional.ofNullable(digests.get(m.uid())).orElseGet(() -> digestOf.apply(m.uid()));
                    byDigest.computeIfAbsent(d, k -> new ArrayDeque<>()).add(m.uid());
                }
            }
        }
        Map<Integer, Long> remapOf = new LinkedHashMap<>();
        for (int i : rest) {
            Deque<Long> same = byDigest.get(messages.get(i).digest());
            if (same != null && !same.isEmpty()) {
                remapOf.put(i, same.poll());
            }
        }
        // a re-map onto a UIDL that a message staying as it is holds is no re-map (step 3); that may hold up others
        Set<Long> moving = new HashSet<>(remapOf.values());
        boolean changed = true;
        while (changed) {
            changed = false;
            for (var it = remapOf.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                MessageInfo holder = byUidl.get(uidls.get(e.getKey()));
                if (holder != null && holder.uid() != e.getValue() && !moving.contains(holder.uid())) {
                    moving.remove(e.getValue());
                    it.remove();
                    changed = true;
                }
            }
        }
        for (int i : rest) {
            Long uid = remapOf.get(i);
            MessageInfo holder = byUidl.get(uidls.get(i));
            if (uid != null) {
                plan.remap.put(uid, uidls.get(i));
            } else if (holder != null && !moving.contains(holder.uid())) {
                plan.alreadyThere++;
            } else {
                plan.added.add(new New(messages.get(i), uidls.get(i)));
            }
        }
        return plan;
    }
}
