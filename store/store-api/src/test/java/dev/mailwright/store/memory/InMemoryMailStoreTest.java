package dev.mailwright.store.memory;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.MailStoreContract;
import dev.mailwright.store.MutableClock;
import dev.mailwright.password.PasswordHashing;

class InMemoryMailStoreTest extends MailStoreContract {
    @Override
    protected MailStore createStore(MutableClock clock, PasswordHashing hashing) {
        return new InMemoryMailStore(clock, hashing);
    }
}
